"""Perspective request/response handling, errors, discovery document, batcher and metrics:
pure code, no web server (runs without the serve extra)."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from moderation.serve.batcher import Batcher, QueueFull
from moderation.serve.discovery import discovery_document
from moderation.serve.errors import ApiError
from moderation.serve.metrics import ServerMetrics
from moderation.serve.perspective import (
    ATTRIBUTE_SCORES,
    analyze_response,
    check_languages,
    parse_analyze,
    primary_subtag,
    utf16_offset,
)
from moderation.serve.settings import ApiKeys, ServeSettings

ALL = tuple(ATTRIBUTE_SCORES.values())


def parse(body, produced=ALL, max_text_bytes=20480):
    return parse_analyze(body, produced, "test", max_text_bytes)


def error_of(body, produced=ALL, **kw) -> dict:
    with pytest.raises(ApiError) as info:
        parse(body, produced, **kw)
    return info.value.body()["error"]


def test_documented_request_parses_every_field():
    req = parse(
        {
            "comment": {"text": "What kind of idiot name is foo?", "type": "PLAIN_TEXT"},
            "context": {"entries": [{"text": "an article", "type": "PLAIN_TEXT"}]},
            "requestedAttributes": {"TOXICITY": {}, "INSULT": {"scoreType": "PROBABILITY", "scoreThreshold": 0.5}},
            "spanAnnotations": True,
            "languages": ["en"],
            "doNotStore": True,
            "clientToken": "tok-1",
            "sessionId": "s",
            "communityId": "c",
        }
    )
    assert req.text == "What kind of idiot name is foo?"
    assert [(a.name, a.score, a.threshold) for a in req.attributes] == [
        ("TOXICITY", "toxicity", None),
        ("INSULT", "insult", 0.5),
    ]
    assert req.span_annotations and req.do_not_store
    assert req.languages == ("en",) and req.client_token == "tok-1"


def test_snake_case_names_are_accepted_like_googles_parser():
    req = parse(
        {
            "comment": {"text": "hi"},
            "requested_attributes": {"PROFANITY": {"score_threshold": "0.25"}},
            "span_annotations": True,
            "client_token": "x",
            "do_not_store": False,
        }
    )
    assert req.attributes[0].threshold == 0.25 and req.span_annotations and req.client_token == "x"


@pytest.mark.parametrize(
    ("body", "message", "error_type"),
    [
        ({"requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty.", "COMMENT_EMPTY"),
        (
            {"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}},
            "Comment must be non-empty.",
            "COMMENT_EMPTY",
        ),
        ({"comment": {"text": "hi"}}, "Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES"),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {}},
            "Missing requested_attributes",
            "NO_REQUESTED_ATTRIBUTES",
        ),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {"FLIRTATION": {}}},
            "Unknown requested attribute: FLIRTATION",
            "INVALID_REQUEST",
        ),
        (
            {"comment": {"text": "hi", "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}},
            "Currently, only 'PLAIN_TEXT' comments are supported",
            "INVALID_REQUEST",
        ),
        (
            {"comment": {"text": "hi", "type": "MARKDOWN"}, "requestedAttributes": {"TOXICITY": {}}},
            "Unknown text type",
            "INVALID_REQUEST",
        ),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}},
            "Requested score type STD_DEV_SCORE is not supported by attribute TOXICITY",
            "INVALID_REQUEST",
        ),
        (
            {
                "comment": {"text": "hi"},
                "requestedAttributes": {"TOXICITY": {}},
                "context": {"entries": [], "articleAndParentComment": {}},
            },
            "Context can have either entries or article_and_parent_comment, but both fields were populated.",
            "INVALID_REQUEST",
        ),
    ],
)
def test_perspective_errors_have_its_messages_and_types(body, message, error_type):
    error = error_of(body)
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == message
    assert error["details"][0]["errorType"] == error_type


def test_too_long_text_is_measured_in_utf8_bytes():
    text = "é" * 6000  # 6,000 characters, 12,000 bytes
    assert (
        parse({"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}, max_text_bytes=12000).text == text
    )
    error = error_of({"comment": {"text": text + "é"}, "requestedAttributes": {"TOXICITY": {}}}, max_text_bytes=12000)
    assert error["message"] == "Comment text too long." and error["details"][0]["errorType"] == "COMMENT_TOO_LONG"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"comment": "hi", "requestedAttributes": {"TOXICITY": {}}}, "comment"),
        ({"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
        ({"comment": {"text": ["a"]}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
        ({"comment": {"text": "lone \ud800 surrogate"}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
        ({"comment": {"text": "hi"}, "requestedAttributes": ["TOXICITY"]}, "requestedAttributes"),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": "high"}}},
            "scoreThreshold",
        ),
        ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": True}}}, "scoreThreshold"),
        ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "languages": "en"}, "languages"),
        ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": "yes"}, "doNotStore"),
        ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "clientToken": 7}, "clientToken"),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "context": {"entries": "x"}},
            "context.entries",
        ),
        ([1, 2], "request"),
        ("text", "request"),
    ],
)
def test_wrong_types_are_invalid_argument_naming_the_field(body, where):
    error = error_of(body)
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert where in error["message"]


def test_unknown_fields_are_refused_like_google_and_the_name_is_not_echoed_raw():
    error = error_of({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "colour": 1})
    assert error["message"].startswith('Invalid JSON payload received. Unknown name "colour"')
    hostile = '<script>alert(1)</script>"' + "x" * 500
    error = error_of({"comment": {"text": "hi", hostile: 1}, "requestedAttributes": {"TOXICITY": {}}})
    assert len(error["message"]) < 200 and '"' not in error["message"].split('"')[1]


def test_comment_text_never_appears_in_error_messages():
    secret = "my very private comment"
    for body in (
        {"comment": {"text": secret, "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}},
        {"comment": {"text": secret}, "requestedAttributes": {"NOPE": {}}},
        {"comment": {"text": secret * 2000}, "requestedAttributes": {"TOXICITY": {}}},
    ):
        assert secret not in str(error_of(body))


def test_attribute_the_preset_does_not_produce_is_a_clear_400():
    error = error_of({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}, produced=("profanity",))
    assert error["code"] == 400 and "TOXICITY" in error["message"] and "preset" in error["message"]


def test_languages_any_supported_one_is_enough_and_unsupported_is_perspectives_error():
    body = {"comment": {"text": "hola"}, "requestedAttributes": {"INSULT": {}, "TOXICITY": {}}}
    assert check_languages(parse({**body, "languages": ["es", "en-US"]}), {"en"}, None) == (["es", "en-US"], None)
    with pytest.raises(ApiError) as info:
        check_languages(parse({**body, "languages": ["de", "fr"]}), {"en"}, None)
    error = info.value.body()["error"]
    assert error["message"] == "Attribute INSULT does not support request languages: de, fr"
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert error["details"][0]["languageNotSupportedByAttributeError"]["requestedLanguages"] == ["de", "fr"]
    # No languages and no detector: the models' language is assumed and no detection claimed.
    assert check_languages(parse(body), {"en"}, None) == (["en"], None)
    assert check_languages(parse(body), {"en"}, lambda t: "en") == (["en"], ["en"])
    with pytest.raises(ApiError, match="does not support request languages: de") as info:
        check_languages(parse(body), {"en"}, lambda t: "de")
    assert info.value.body()["error"]["details"][0]["languageNotSupportedByAttributeError"] == {
        "detectedLanguages": ["de"],
        "attribute": "INSULT",
    }
    # The detector is not sure (a few words): English assumed, no detection claimed.
    assert check_languages(parse(body), {"en"}, lambda t: None) == (["en"], None)
    assert primary_subtag(" EN_gb ") == "en"


def test_response_shape_thresholds_spans_and_token():
    text = "🙂 You are an IDIOT."
    req = parse(
        {
            "comment": {"text": text},
            "spanAnnotations": True,
            "clientToken": "c-9",
            "requestedAttributes": {"TOXICITY": {}, "THREAT": {"scoreThreshold": 0.5}, "INSULT": {}},
        }
    )
    start = text.index("IDIOT")
    out = analyze_response(
        req, {"toxicity": 0.9, "threat": 0.2, "insult": 0.7}, {"toxicity": (start, start + 5)}, ["en"], None
    )
    assert out == {
        "attributeScores": {
            "TOXICITY": {
                "summaryScore": {"value": 0.9, "type": "PROBABILITY"},
                # the emoji is two UTF-16 code units, so offsets are one more than Python's
                "spanScores": [{"begin": start + 1, "end": start + 6, "score": {"value": 0.9, "type": "PROBABILITY"}}],
            },
            "INSULT": {"summaryScore": {"value": 0.7, "type": "PROBABILITY"}},
        },
        "languages": ["en"],
        "clientToken": "c-9",
    }
    assert "THREAT" not in out["attributeScores"]  # 0.2 < its threshold 0.5
    no_spans = parse({"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}})
    assert (
        "spanScores"
        not in analyze_response(no_spans, {"toxicity": 0.9}, {"toxicity": (0, 3)}, ["en"], ["en"])["attributeScores"][
            "TOXICITY"
        ]
    )


def test_utf16_offsets():
    assert utf16_offset("abc", 2) == 2
    assert utf16_offset("a😀b", 2) == 3  # the emoji counts twice
    assert utf16_offset("é😀😀x", 4) == 6


def test_api_error_body_and_retry_after():
    error = ApiError(429, "full", retry_after_s=3)
    assert error.body() == {"error": {"code": 429, "message": "full", "status": "RESOURCE_EXHAUSTED"}}
    assert error.headers() == {"Retry-After": "3"}
    assert ApiError(403, "no key").body()["error"]["status"] == "PERMISSION_DENIED"


def test_discovery_document_describes_this_server():
    doc = discovery_document("http://127.0.0.1:9000")
    assert doc["rootUrl"] == "http://127.0.0.1:9000/" and doc["servicePath"] == ""
    method = doc["resources"]["comments"]["methods"]["analyze"]
    assert (method["httpMethod"], method["path"]) == ("POST", "v1alpha1/comments:analyze")
    assert method["request"]["$ref"] in doc["schemas"] and method["response"]["$ref"] in doc["schemas"]
    assert "auth" not in doc  # keys only: the client must not look for OAuth credentials
    refs = []

    def walk(node):
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    assert refs and all(r in doc["schemas"] for r in refs)


def test_keys_from_env_and_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("# team keys\nalpha\n\n  beta  \n", encoding="utf-8")
    keys = ApiKeys.load(str(path), {"MODERATE_API_KEYS": "gamma, delta"})
    assert len(keys) == 4 and keys.required
    assert all(keys.accepts(k) for k in ("alpha", "beta", "gamma", "delta"))
    assert not keys.accepts("alph") and not keys.accepts("")
    assert not ApiKeys.load(None, {}).required
    (tmp_path / "empty.txt").write_text("# none\n", encoding="utf-8")
    from moderation.errors import ConfigError

    with pytest.raises(ConfigError, match="holds no key"):
        ApiKeys.load(str(tmp_path / "empty.txt"), {})
    with pytest.raises(ConfigError, match="cannot read"):
        ApiKeys.load(str(tmp_path / "missing.txt"), {})


def test_settings_round_trip_and_validation():
    settings = ServeSettings(preset="fast", port=9001, max_batch=8, keys_file="/etc/keys")
    assert ServeSettings.from_json(settings.to_json()) == settings
    from moderation.errors import ConfigError

    with pytest.raises(ConfigError):
        ServeSettings(max_batch=0)


def _batcher_run(score, n, **kw):
    """Submit n texts at once; returns results and the batch sizes the scorer saw."""
    sizes: list[int] = []

    def scorer(texts):
        sizes.append(len(texts))
        return score(texts)

    async def main():
        with ThreadPoolExecutor(1) as pool:
            b = Batcher(scorer, pool, **kw)
            b.start()
            futures = [b.submit(f"t{i}") for i in range(n)]
            results = await asyncio.gather(*futures)
            await b.stop()
            return results

    return asyncio.run(main()), sizes


def test_batcher_groups_concurrent_texts_and_keeps_order():
    results, sizes = _batcher_run(lambda ts: [t.upper() for t in ts], 10, max_batch=4, max_wait_s=0.05)
    assert results == [f"T{i}" for i in range(10)]
    assert sizes == [4, 4, 2]


def test_batcher_max_batch_one_is_one_pass_per_text():
    _, sizes = _batcher_run(lambda ts: ts, 5, max_batch=1, max_wait_s=0.05)
    assert sizes == [1] * 5


def test_batcher_bounded_wait_sends_a_lone_text_soon():
    async def main():
        with ThreadPoolExecutor(1) as pool:
            b = Batcher(lambda ts: ts, pool, max_batch=64, max_wait_s=0.02)
            b.start()
            started = time.perf_counter()
            result = await b.submit("alone")
            waited = time.perf_counter() - started
            await b.stop()
            return result, waited

    result, waited = asyncio.run(main())
    assert result == "alone" and waited < 1.0


def test_batcher_waits_for_company_only_while_requests_are_arriving():
    async def lone(arriving: int, max_wait_s: float) -> float:
        with ThreadPoolExecutor(1) as pool:
            b = Batcher(lambda ts: ts, pool, max_batch=64, max_wait_s=max_wait_s, arriving=lambda: arriving)
            b.start()
            started = time.perf_counter()
            await b.submit("alone")
            waited = time.perf_counter() - started
            await b.stop()
            return waited

    assert asyncio.run(lone(arriving=0, max_wait_s=5.0)) < 1.0  # nobody coming: no wait
    assert asyncio.run(lone(arriving=1, max_wait_s=0.3)) >= 0.3  # someone coming: bounded wait


def test_batcher_refuses_beyond_queue_and_reports_scorer_failures():
    async def main():
        with ThreadPoolExecutor(1) as pool:
            b = Batcher(lambda ts: [1 / 0 for _ in ts], pool, max_batch=2, max_wait_s=0.5, max_queue=3)
            futures = [b.submit(str(i)) for i in range(3)]
            with pytest.raises(QueueFull) as info:
                b.submit("one too many")
            assert info.value.retry_after_s >= 1
            b.start()
            outcomes = await asyncio.gather(*futures, return_exceptions=True)
            await b.stop()
            return outcomes

    outcomes = asyncio.run(main())
    assert all(isinstance(o, ZeroDivisionError) for o in outcomes)


def test_batcher_skips_texts_whose_request_gave_up():
    seen: list[str] = []

    async def main():
        with ThreadPoolExecutor(1) as pool:
            b = Batcher(lambda ts: (seen.extend(ts), ts)[1], pool, max_batch=8, max_wait_s=0.05)
            keep, drop = b.submit("keep"), b.submit("drop")
            drop.cancel()
            b.start()
            result = await keep
            await b.stop()
            return result

    assert asyncio.run(main()) == "keep" and seen == ["keep"]


def test_metrics_render_prometheus_text():
    m = ServerMetrics(lambda: 3)
    m.requests.inc(endpoint="/healthz", code="200")
    m.latency.observe(0.02, endpoint="/healthz")
    m.on_batch(5, 0.1)
    text = m.render()
    assert 'moderate_requests_total{code="200",endpoint="/healthz"} 1' in text
    assert 'moderate_request_duration_seconds_bucket{endpoint="/healthz",le="0.01"} 0' in text
    assert 'moderate_request_duration_seconds_bucket{endpoint="/healthz",le="0.025"} 1' in text
    assert 'moderate_batch_size_bucket{le="4"} 0' in text and 'moderate_batch_size_bucket{le="8"} 1' in text
    assert "moderate_texts_scored_total 5" in text and "moderate_queue_depth 3" in text
    assert "# TYPE moderate_batch_size histogram" in text
