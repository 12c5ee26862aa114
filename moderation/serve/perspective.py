"""Perspective's `comments:analyze`: read a request field by field, build the response.

Pure functions over JSON values (no web framework, no models): `parse_analyze` turns a
request body into an `AnalyzeRequest` or raises `ApiError` with Perspective's message and
`errorType`; `analyze_response` turns the Moderator's `TextResult` into Perspective's
response. Field names are accepted in lowerCamelCase and in the proto's snake_case, as
Google's JSON parser does. docs/serve.md lists every difference from Perspective.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from moderation.serve.errors import ApiError, bad_request

# Perspective attribute -> the project's score name. The one place the two vocabularies meet.
ATTRIBUTE_SCORES: dict[str, str] = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "IDENTITY_ATTACK": "identity_attack",
    "INSULT": "insult",
    "PROFANITY": "profanity",
    "THREAT": "threat",
}
SCORE_TYPES = ("SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW")
TEXT_TYPES = ("TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML")
DEFAULT_MAX_TEXT_BYTES = 20 * 1024  # Perspective: "The maximum text size per request is 20 KB."
MAX_CONTEXT_ENTRY_BYTES = 1024 * 1024  # Perspective: "The maximum size of context entry is 1MB."

# Known fields of each message, camelCase -> how to reach its value. snake_case is mapped below.
_REQUEST_FIELDS = (
    "comment",
    "context",
    "requestedAttributes",
    "spanAnnotations",
    "languages",
    "doNotStore",
    "clientToken",
    "sessionId",
    "communityId",
)
_TEXT_ENTRY_FIELDS = ("text", "type")
_CONTEXT_FIELDS = ("entries", "articleAndParentComment")
_ARTICLE_AND_PARENT_FIELDS = ("article", "parentComment")
_ATTRIBUTE_FIELDS = ("scoreType", "scoreThreshold")

LanguageDetector = Callable[[str], str | None]  # a confidently detected ISO 639-1 code, else None


@dataclass(frozen=True, slots=True)
class RequestedAttribute:
    name: str  # Perspective's name, e.g. TOXICITY
    score: str  # the project's score name, e.g. toxicity
    threshold: float | None


@dataclass(frozen=True, slots=True)
class AnalyzeRequest:
    text: str
    attributes: tuple[RequestedAttribute, ...]
    span_annotations: bool
    languages: tuple[str, ...]  # as the client sent them
    do_not_store: bool
    client_token: str | None


def parse_analyze(
    body: Any,
    produced: Collection[str],
    preset: str,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
) -> AnalyzeRequest:
    """Validate an AnalyzeCommentRequest body. `produced`: the score names the preset makes."""
    fields = _message(body, "", _REQUEST_FIELDS)
    comment = _message(fields.get("comment"), "comment", _TEXT_ENTRY_FIELDS)
    text = _string(comment.get("text"), "comment.text")
    _check_text_type(comment.get("type"), "comment.type")
    _check_context(fields.get("context"))
    attributes = _requested_attributes(fields.get("requestedAttributes"), produced, preset)
    if not text:
        raise bad_request("Comment must be non-empty.", "COMMENT_EMPTY")
    if len(text.encode("utf-8", "surrogatepass")) > max_text_bytes:
        raise bad_request("Comment text too long.", "COMMENT_TOO_LONG")
    languages = fields.get("languages")
    if languages is None:
        languages = []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise _invalid("languages", "TYPE_STRING, repeated")
    token = fields.get("clientToken")
    return AnalyzeRequest(
        text=text,
        attributes=attributes,
        span_annotations=_bool(fields.get("spanAnnotations"), "spanAnnotations"),
        languages=tuple(languages),
        do_not_store=_bool(fields.get("doNotStore"), "doNotStore"),
        client_token=None if token is None else _string(token, "clientToken"),
    )


def check_languages(
    request: AnalyzeRequest, supported: Collection[str], detector: LanguageDetector | None
) -> tuple[list[str], list[str] | None]:
    """(languages for the response, detectedLanguages or None); ApiError when unsupported.

    Requested languages: scored when any of them is supported (Perspective: "the text is
    checked in all of them that are supported"). None requested: a confidently detected
    language decides (and is reported in detectedLanguages); when the detector is not sure (a
    few words) or there is none, the models' language is assumed and no detection is claimed,
    as the project does for a short comment (moderation/analysis/language.py).
    """
    first = request.attributes[0].name
    if request.languages:
        if any(primary_subtag(code) in supported for code in request.languages):
            return list(request.languages), None
        raise bad_request(
            f"Attribute {first} does not support request languages: {', '.join(request.languages)}",
            "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
            languageNotSupportedByAttributeError={"requestedLanguages": list(request.languages), "attribute": first},
        )
    assumed = "en" if "en" in supported else sorted(supported)[0]
    detected = detector(request.text) if detector is not None else None
    if detected is None:
        return [assumed], None
    if primary_subtag(detected) not in supported:
        raise bad_request(
            f"Attribute {first} does not support request languages: {detected}",
            "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
            languageNotSupportedByAttributeError={"detectedLanguages": [detected], "attribute": first},
        )
    return [detected], [detected]


def primary_subtag(code: str) -> str:
    """'en-US' / 'en_GB' / 'EN' -> 'en' (ISO 639-1 or BCP-47 in, the language part out)."""
    return code.strip().replace("_", "-").split("-", 1)[0].lower()


def analyze_response(
    request: AnalyzeRequest,
    attributes: dict[str, float],
    spans: dict[str, tuple[int, int]],
    languages: list[str],
    detected: list[str] | None,
) -> dict[str, Any]:
    """Perspective's AnalyzeCommentResponse. `attributes`: the project's scores by name;
    `spans`: character (start, end) of the part that drove a score, where the scorer gives one."""
    scores: dict[str, Any] = {}
    for attr in request.attributes:
        value = attributes[attr.score]
        if attr.threshold is not None and value < attr.threshold:
            continue  # Perspective leaves out scores below the requested threshold
        entry: dict[str, Any] = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        span = spans.get(attr.score)
        if request.span_annotations and span is not None:
            begin, end = utf16_offset(request.text, span[0]), utf16_offset(request.text, span[1])
            entry["spanScores"] = [{"begin": begin, "end": end, "score": {"value": value, "type": "PROBABILITY"}}]
        scores[attr.name] = entry
    out: dict[str, Any] = {"attributeScores": scores, "languages": languages}
    if detected is not None:
        out["detectedLanguages"] = detected
    if request.client_token is not None:
        out["clientToken"] = request.client_token
    return out


def utf16_offset(text: str, index: int) -> int:
    """Perspective's span offsets count UTF-16 code units; Python's count code points."""
    prefix = text[: max(0, index)]
    return len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


# --- field readers -----------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _message(value: Any, where: str, known: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with only `known` fields (snake_case names mapped to camelCase); null is {}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(where or "request", "object")
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _camel(key) if "_" in key else key
        if name not in known:
            raise bad_request(f'Invalid JSON payload received. Unknown name "{_clip(key)}"' + _at(where))
        if name in out:
            raise bad_request(f'Invalid JSON payload received. Field "{name}" given twice' + _at(where))
        if item is not None:  # proto3 JSON: null means "not set"
            out[name] = item
    return out


def _at(where: str) -> str:
    return f" at '{where}': Cannot find field." if where else ": Cannot find field."


def _clip(name: str, limit: int = 64) -> str:
    """Field names are echoed in errors; keep them short and printable."""
    printable = "".join(ch if ch.isprintable() and ch not in '"\\' else "?" for ch in name[:limit])
    return printable + ("..." if len(name) > limit else "")


def _invalid(where: str, expected: str) -> ApiError:
    return bad_request(f"Invalid value at '{where}' ({expected})")


def _string(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(where, "TYPE_STRING")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape
        raise _invalid(where, "TYPE_STRING, not valid UTF-8") from None
    return value


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(where, "TYPE_BOOL")
    return value


def _float(value: Any, where: str) -> float:
    """A proto float: a JSON number or a numeric string; finite here."""
    if isinstance(value, bool):
        raise _invalid(where, "TYPE_FLOAT")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _invalid(where, "TYPE_FLOAT") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(where, "TYPE_FLOAT")
    return float(value)


def _check_text_type(value: Any, where: str) -> None:
    if value is None or value in ("TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT"):
        return
    if value == "HTML":
        raise bad_request("Currently, only 'PLAIN_TEXT' comments are supported")
    if not isinstance(value, str):
        raise _invalid(where, "TYPE_ENUM")
    raise bad_request("Unknown text type")


def _check_context(value: Any) -> None:
    """Context is read and checked like Perspective does, and (like Perspective) not scored."""
    context = _message(value, "context", _CONTEXT_FIELDS)
    if "entries" in context and "articleAndParentComment" in context:
        raise bad_request(
            "Context can have either entries or article_and_parent_comment, but both fields were populated."
        )
    entries = context.get("entries", [])
    if not isinstance(entries, list):
        raise _invalid("context.entries", "repeated TextEntry")
    pieces = [(f"context.entries[{i}]", entry) for i, entry in enumerate(entries)]
    pair = _message(
        context.get("articleAndParentComment"), "context.articleAndParentComment", _ARTICLE_AND_PARENT_FIELDS
    )
    pieces += [(f"context.articleAndParentComment.{k}", v) for k, v in pair.items()]
    for where, entry in pieces:
        fields = _message(entry, where, _TEXT_ENTRY_FIELDS)
        text = _string(fields.get("text"), f"{where}.text")
        _check_text_type(fields.get("type"), f"{where}.type")
        if len(text.encode("utf-8", "surrogatepass")) > MAX_CONTEXT_ENTRY_BYTES:
            raise bad_request("Context entry too long.", "INVALID_REQUEST")


def _requested_attributes(value: Any, produced: Collection[str], preset: str) -> tuple[RequestedAttribute, ...]:
    if value is None or value == {}:
        raise bad_request("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    if not isinstance(value, dict):
        raise _invalid("requestedAttributes", "map<string, AttributeParameters>")
    out: list[RequestedAttribute] = []
    for name, params in value.items():
        score = ATTRIBUTE_SCORES.get(name)
        if score is None:
            raise bad_request(f"Unknown requested attribute: {_clip(name)}")
        where = f"requestedAttributes[{name}]"
        fields = _message(params, where, _ATTRIBUTE_FIELDS)
        score_type = fields.get("scoreType", "SCORE_TYPE_UNSPECIFIED")
        if score_type not in SCORE_TYPES:
            raise _invalid(f"{where}.scoreType", "TYPE_ENUM")
        if score_type not in ("SCORE_TYPE_UNSPECIFIED", "PROBABILITY"):
            raise bad_request(f"Requested score type {score_type} is not supported by attribute {name}")
        if score not in produced:
            raise bad_request(f"Attribute {name} is not produced by this server's preset ({preset})")
        threshold = fields.get("scoreThreshold")
        out.append(
            RequestedAttribute(name, score, None if threshold is None else _float(threshold, f"{where}.scoreThreshold"))
        )
    return tuple(out)
