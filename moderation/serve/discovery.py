"""The Google API discovery document of this server's Perspective-compatible API.

Google's Python client builds its `comments().analyze(...)` method from this document:
`googleapiclient.discovery.build("commentanalyzer", "v1alpha1", developerKey=KEY,
discoveryServiceUrl="http://127.0.0.1:8080/$discovery/rest?version=v1alpha1")`. The document
describes only what this server answers (`comments.analyze`; no `suggestscore`), declares no
OAuth scopes (keys only), and points `rootUrl` at the server itself.
"""

from __future__ import annotations

from typing import Any

from moderation import __version__
from moderation.serve.perspective import SCORE_TYPES, TEXT_TYPES

API_NAME = "commentanalyzer"
API_VERSION = "v1alpha1"
ANALYZE_PATH = "v1alpha1/comments:analyze"


def _ref(name: str, description: str) -> dict[str, Any]:
    return {"$ref": name, "description": description}


def _prop(kind: str, description: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, **more}


def _schema(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": name, "type": "object", "description": description, "properties": properties}


def _query(description: str, kind: str = "string", **more: Any) -> dict[str, Any]:
    return {"type": kind, "location": "query", "description": description, **more}


def _score_type(description: str) -> dict[str, Any]:
    return _prop("string", description, enum=list(SCORE_TYPES))


def _schemas() -> dict[str, Any]:
    text_entry = _schema(
        "TextEntry",
        "A piece of text: the comment or a context entry.",
        {
            "text": _prop("string", "UTF-8 text."),
            "type": _prop("string", "Only PLAIN_TEXT is accepted.", enum=list(TEXT_TYPES)),
        },
    )
    schemas = [
        _schema(
            "AnalyzeCommentRequest",
            "What to score and how.",
            {
                "comment": _ref("TextEntry", "The comment to score (required)."),
                "context": _ref("Context", "Checked, not scored (as in Perspective)."),
                "requestedAttributes": {
                    "type": "object",
                    "description": "Attribute name -> parameters (required, at least one).",
                    "additionalProperties": {"$ref": "AttributeParameters"},
                },
                "spanAnnotations": _prop("boolean", "Return span scores where the model gives them."),
                "languages": _prop("array", "ISO 639-1 or BCP-47 codes.", items={"type": "string"}),
                "doNotStore": _prop("boolean", "This server never stores comments; accepted for compatibility."),
                "clientToken": _prop("string", "Echoed in the response."),
                "sessionId": _prop("string", "Accepted and ignored."),
                "communityId": _prop("string", "Accepted and ignored."),
            },
        ),
        _schema(
            "AnalyzeCommentResponse",
            "Scores of the requested attributes.",
            {
                "attributeScores": {
                    "type": "object",
                    "description": "Attribute name -> scores.",
                    "additionalProperties": {"$ref": "AttributeScores"},
                },
                "languages": _prop("array", "The request's languages, else the one scored.", items={"type": "string"}),
                "detectedLanguages": _prop("array", "Detected languages, most likely first.", items={"type": "string"}),
                "clientToken": _prop("string", "The request's clientToken."),
            },
        ),
        _schema(
            "AttributeParameters",
            "Options for one attribute.",
            {
                "scoreType": _score_type("Only PROBABILITY (or unspecified) is supported."),
                "scoreThreshold": _prop("number", "Leave out scores below this.", format="float"),
            },
        ),
        _schema(
            "AttributeScores",
            "Summary score and span scores of one attribute.",
            {
                "summaryScore": _ref("Score", "Score of the whole comment."),
                "spanScores": _prop("array", "Scores of parts of the comment.", items={"$ref": "SpanScore"}),
            },
        ),
        _schema(
            "Score",
            "A value and its type.",
            {"value": _prop("number", "In [0, 1].", format="float"), "type": _score_type("Always PROBABILITY.")},
        ),
        _schema(
            "SpanScore",
            "Score of the part [begin, end) of the comment, in UTF-16 code units.",
            {
                "begin": _prop("integer", "First code unit.", format="int32"),
                "end": _prop("integer", "End (exclusive).", format="int32"),
                "score": _ref("Score", "The span's score."),
            },
        ),
        _schema(
            "Context",
            "What the comment replies to: entries, or an article and a parent comment (not both).",
            {
                "entries": _prop("array", "Earlier messages.", items={"$ref": "TextEntry"}),
                "articleAndParentComment": _ref("ArticleAndParentComment", "The article and the parent comment."),
            },
        ),
        _schema(
            "ArticleAndParentComment",
            "The article and the parent comment.",
            {
                "article": _ref("TextEntry", "The article."),
                "parentComment": _ref("TextEntry", "The comment replied to."),
            },
        ),
        text_entry,
    ]
    return {s["id"]: s for s in schemas}


def discovery_document(root_url: str) -> dict[str, Any]:
    """The document, with `rootUrl` set to where clients reach this server (ends with '/')."""
    if not root_url.endswith("/"):
        root_url += "/"
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"{API_NAME}:{API_VERSION}",
        "name": API_NAME,
        "version": API_VERSION,
        "revision": __version__,
        "title": "moderate: Perspective-compatible Comment Analyzer",
        "description": "Self-hosted scoring of comments with Perspective's request and response shapes.",
        "ownerDomain": "localhost",
        "ownerName": "moderate",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "basePath": "",
        "batchPath": "batch",
        "parameters": {
            "key": _query("API key (or send it in the X-Goog-Api-Key header)."),
            "alt": _query("Response format; only json.", enum=["json"], default="json"),
            "prettyPrint": _query("Accepted and ignored.", kind="boolean", default="true"),
            "fields": _query("Accepted and ignored: the whole response is returned."),
            "quotaUser": _query("Accepted and ignored."),
            "$.xgafv": _query("Error format; accepted and ignored (v2 shape always).", enum=["1", "2"]),
        },
        "resources": {
            "comments": {
                "methods": {
                    "analyze": {
                        "id": f"{API_NAME}.comments.analyze",
                        "path": ANALYZE_PATH,
                        "flatPath": ANALYZE_PATH,
                        "httpMethod": "POST",
                        "description": "Scores the comment for the requested attributes.",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": "AnalyzeCommentRequest"},
                        "response": {"$ref": "AnalyzeCommentResponse"},
                    }
                }
            }
        },
        "schemas": _schemas(),
    }
