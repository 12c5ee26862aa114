"""`moderate serve` over real HTTP on 127.0.0.1: Perspective's shapes, Google's discovery
client, keys, limits, batching, flood and hostile input. Skips without the serve extra."""

from __future__ import annotations

import json
import logging
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from moderation.serve.app import create_app
from moderation.serve.settings import ApiKeys, ServeSettings
from tests.serve_helpers import KnownScores, request, running_server

ANALYZE = "/v1alpha1/comments:analyze"
KEY = "test-key-123"


@pytest.fixture(scope="module")
def fast_server():
    from moderation import Moderator

    app = create_app(ServeSettings(preset="fast"), moderator=Moderator("fast"), keys=ApiKeys([]))
    with running_server(app) as base:
        yield base


@pytest.fixture(scope="module")
def keyed_server():
    """Known scores, keys required, small limits."""
    settings = ServeSettings(max_body_bytes=64 * 1024, max_text_bytes=2000, request_timeout_s=2.0)
    with running_server(create_app(settings, moderator=KnownScores(), keys=ApiKeys([KEY]))) as base:
        yield base


def analyze(base, body, key=KEY, **kw):
    return request(base, "POST", f"{ANALYZE}?key={key}" if key else ANALYZE, body, **kw)


def read_answer(sock: socket.socket) -> str:
    """A whole HTTP response (headers and Content-Length body) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        if not part:
            break
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0
    )
    while len(body) < length:
        part = sock.recv(65536)
        if not part:
            break
        body += part
    return (head + b"\r\n\r\n" + body).decode("utf-8", "replace")


def assert_error(reply, code, status):
    assert reply.status == code, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    error = reply.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_documented_request_gets_perspectives_response_shape_with_the_default_preset():
    from moderation import Moderator

    moderator = Moderator("default")
    with running_server(create_app(ServeSettings(), moderator=moderator, keys=ApiKeys([]))) as base:
        text = "What kind of idiot name is foo? Sorry, I like your name."
        attributes = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"]
        body = {
            "comment": {"text": text},
            "languages": ["en"],
            "requestedAttributes": {a: {} for a in attributes},
            "spanAnnotations": True,
            "clientToken": "abc",
        }
        reply = request(base, "POST", ANALYZE, body)
        assert reply.status == 200, reply.body
        out = reply.json()
        assert set(out) == {"attributeScores", "languages", "clientToken"}
        assert out["languages"] == ["en"] and out["clientToken"] == "abc"
        assert set(out["attributeScores"]) == set(attributes)
        direct = moderator.score_texts([text])[0].scores.attributes
        for name, entry in out["attributeScores"].items():
            summary = entry["summaryScore"]
            assert summary["type"] == "PROBABILITY"
            assert summary["value"] == direct[name.lower()]  # the Moderator's own score, unchanged
        span = out["attributeScores"]["TOXICITY"]["spanScores"][0]
        assert 0 <= span["begin"] < span["end"] <= len(text)
        assert span["score"]["value"] == out["attributeScores"]["TOXICITY"]["summaryScore"]["value"]


def test_google_discovery_client_works_unchanged(keyed_server):
    discovery = pytest.importorskip("googleapiclient.discovery")
    errors = pytest.importorskip("googleapiclient.errors")
    client = discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=KEY,
        discoveryServiceUrl=f"{keyed_server}/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )
    body = {"comment": {"text": "you are a FOOL"}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True}
    out = client.comments().analyze(body=body).execute()
    assert out["attributeScores"]["TOXICITY"]["summaryScore"] == {"value": 0.363636, "type": "PROBABILITY"}  # 4/11
    assert out["attributeScores"]["TOXICITY"]["spanScores"][0]["begin"] == 10
    with pytest.raises(errors.HttpError) as info:
        client.comments().analyze(body={"comment": {"text": "x"}, "requestedAttributes": {"NOPE": {}}}).execute()
    assert info.value.resp.status == 400
    assert json.loads(info.value.content)["error"]["message"] == "Unknown requested attribute: NOPE"
    # The documented template form of discoveryServiceUrl works too.
    client = discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=KEY,
        discoveryServiceUrl=f"{keyed_server}/discovery/v1/apis/{{api}}/{{apiVersion}}/rest",
        cache_discovery=False,
    )
    assert "attributeScores" in client.comments().analyze(body=body).execute()
    with pytest.raises(discovery.UnknownApiNameOrVersion):
        discovery.build(
            "commentanalyzer",
            "v1",
            developerKey=KEY,
            discoveryServiceUrl=f"{keyed_server}/$discovery/rest?version={{apiVersion}}",
            cache_discovery=False,
        )


def test_api_keys_query_parameter_and_header(keyed_server):
    body = {"comment": {"text": "hello"}, "requestedAttributes": {"TOXICITY": {}}}
    assert analyze(keyed_server, body).status == 200
    assert request(keyed_server, "POST", ANALYZE, body, headers={"X-Goog-Api-Key": KEY}).status == 200
    error = assert_error(analyze(keyed_server, body, key=None), 403, "PERMISSION_DENIED")
    assert error["message"] == "The request is missing a valid API key."
    assert_error(analyze(keyed_server, body, key="wrong"), 400, "INVALID_ARGUMENT")
    assert_error(request(keyed_server, "POST", "/v1/score", {"comments": []}), 403, "PERMISSION_DENIED")


def test_fast_preset_scores_and_refuses_attributes_it_does_not_produce(fast_server):
    reply = request(
        fast_server,
        "POST",
        ANALYZE,
        {"comment": {"text": "what a load of crap"}, "requestedAttributes": {"PROFANITY": {}}, "doNotStore": True},
    )
    assert reply.status == 200
    value = reply.json()["attributeScores"]["PROFANITY"]["summaryScore"]["value"]
    assert value > 0.5
    error = assert_error(
        request(fast_server, "POST", ANALYZE, {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}),
        400,
        "INVALID_ARGUMENT",
    )
    assert "fast" in error["message"]


def test_languages_are_detected_when_none_are_given(keyed_server):
    german = "Du bist ein Idiot und ein Lügner, das weiß jeder hier."
    error = assert_error(
        analyze(keyed_server, {"comment": {"text": german}, "requestedAttributes": {"INSULT": {}}}),
        400,
        "INVALID_ARGUMENT",
    )
    assert error["message"] == "Attribute INSULT does not support request languages: de"
    assert error["details"][0]["languageNotSupportedByAttributeError"]["detectedLanguages"] == ["de"]
    english = "What kind of idiot name is foo? Sorry, I like your name."
    out = analyze(keyed_server, {"comment": {"text": english}, "requestedAttributes": {"INSULT": {}}}).json()
    assert out["languages"] == ["en"] and out["detectedLanguages"] == ["en"]
    short = analyze(keyed_server, {"comment": {"text": "ok"}, "requestedAttributes": {"INSULT": {}}}).json()
    assert short["languages"] == ["en"] and "detectedLanguages" not in short  # too short to tell: assumed
    # The caller's languages win over detection, as in Perspective.
    body = {"comment": {"text": german}, "requestedAttributes": {"INSULT": {}}, "languages": ["en"]}
    assert analyze(keyed_server, body).status == 200


def test_unsupported_language_is_perspectives_400(keyed_server):
    body = {"comment": {"text": "Du bist ein Idiot"}, "requestedAttributes": {"INSULT": {}}, "languages": ["de"]}
    error = assert_error(analyze(keyed_server, body), 400, "INVALID_ARGUMENT")
    assert error["message"] == "Attribute INSULT does not support request languages: de"
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", 400),
        (b"", 400),
        (b"\xff\xfe\x00garbage", 400),
        (b'{"comment": {"text": NaN}}', 400),
        (b"[" * 30_000 + b"]" * 30_000, 400),
        (b'{"comment": {"text": 12}, "requestedAttributes": {"TOXICITY": {}}}', 400),
        (b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": {}}}}', 400),
        (b'{"comment": {"text": "' + b"a" * 3000 + b'"}, "requestedAttributes": {"TOXICITY": {}}}', 400),
        (b'{"comment": {"text": "' + b"a" * 70_000 + b'"}, "requestedAttributes": {"TOXICITY": {}}}', 413),
    ],
)
def test_hostile_bodies_get_the_right_error_and_the_server_stays_up(keyed_server, raw, code):
    reply = request(keyed_server, "POST", f"{ANALYZE}?key={KEY}", raw=raw)
    assert_error(reply, code, "INVALID_ARGUMENT")
    assert request(keyed_server, "GET", "/healthz").json()["status"] == "ok"


def test_huge_chunked_body_is_cut_off_at_the_limit(keyed_server):
    host, port = keyed_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST {ANALYZE}?key={KEY} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"a" * 16384
        try:
            for _ in range(64):  # 1 MiB offered; the limit is 64 KiB
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_answer(sock)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert '"status":"INVALID_ARGUMENT"' in answer
    assert request(keyed_server, "GET", "/healthz").status == 200


def test_slow_body_hits_the_time_limit(keyed_server):
    host, port = keyed_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f'POST {ANALYZE}?key={KEY} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{"comment"'.encode())
        started = time.monotonic()
        answer = read_answer(sock)
        waited = time.monotonic() - started
    assert answer.startswith("HTTP/1.1 408") and "DEADLINE_EXCEEDED" in answer
    assert waited < 6


def test_a_text_the_model_fails_on_is_500_without_the_text(keyed_server):
    reply = analyze(keyed_server, {"comment": {"text": "secret BOOM text"}, "requestedAttributes": {"TOXICITY": {}}})
    error = assert_error(reply, 500, "INTERNAL")
    assert "secret" not in reply.body.decode() and "ValueError" not in error["message"]
    assert analyze(keyed_server, {"comment": {"text": "fine"}, "requestedAttributes": {"TOXICITY": {}}}).status == 200


def test_responses_are_json_that_browsers_do_not_sniff(keyed_server):
    body = {
        "comment": {"text": "<script>alert(1)</script>"},
        "clientToken": "<img src=x onerror=alert(1)>",
        "requestedAttributes": {"TOXICITY": {}},
    }
    reply = analyze(keyed_server, body)
    assert reply.status == 200 and reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["content-type"] == "application/json; charset=UTF-8"
    assert reply.json()["clientToken"] == body["clientToken"]  # echoed as data, inside JSON
    assert analyze(keyed_server, {"comment": {"text": "x"}}).headers["x-content-type-options"] == "nosniff"


def test_wrong_method_and_unknown_path(keyed_server):
    assert_error(request(keyed_server, "GET", ANALYZE), 405, "METHOD_NOT_ALLOWED")
    assert_error(request(keyed_server, "GET", "/v1alpha1/comments:suggestscore"), 404, "NOT_FOUND")


def test_flood_beyond_the_queue_gets_429_with_retry_after_and_the_server_stays_up():
    moderator = KnownScores(delay_s=0.2)
    settings = ServeSettings(max_batch=2, max_wait_ms=1, max_queue=4, request_timeout_s=30)
    with running_server(create_app(settings, moderator=moderator, keys=ApiKeys([]))) as base:
        body = {"comment": {"text": "flood"}, "requestedAttributes": {"TOXICITY": {}}}
        with ThreadPoolExecutor(40) as pool:
            replies = list(pool.map(lambda _: request(base, "POST", ANALYZE, body), range(40)))
        codes = sorted(r.status for r in replies)
        assert set(codes) == {200, 429}, codes
        refused = [r for r in replies if r.status == 429]
        assert len(refused) >= 20  # at most 4 waiting + 2 scoring at any time, each pass takes 0.2 s
        for r in refused:
            assert_error(r, 429, "RESOURCE_EXHAUSTED")
            assert int(r.headers["retry-after"]) >= 1
        assert request(base, "POST", ANALYZE, body).status == 200
        metrics = request(base, "GET", "/metrics").body.decode()
        assert f"moderate_rejected_total {len(refused)}" in metrics
        assert max(moderator.batches) == 2  # concurrent requests shared passes


def test_concurrent_requests_are_batched_into_one_pass():
    moderator = KnownScores(delay_s=0.3)
    settings = ServeSettings(max_batch=16, max_wait_ms=50)
    with running_server(create_app(settings, moderator=moderator, keys=ApiKeys([]))) as base:
        texts = [f"comment number {i} is FINE" for i in range(12)]
        with ThreadPoolExecutor(12) as pool:
            replies = list(
                pool.map(
                    lambda t: request(
                        base,
                        "POST",
                        ANALYZE,
                        {"comment": {"text": t}, "clientToken": t, "requestedAttributes": {"TOXICITY": {}}},
                    ),
                    texts,
                )
            )
        assert [r.json()["clientToken"] for r in replies] == texts  # each answer is its own request's
        assert sum(moderator.batches[1:]) == 12 and len(moderator.batches) - 1 < 12  # first batch: warm-up


def test_scoring_slower_than_the_time_limit_is_504_and_the_server_recovers():
    settings = ServeSettings(request_timeout_s=0.5, warm_up=False)
    with running_server(create_app(settings, moderator=KnownScores(delay_s=1.0), keys=ApiKeys([]))) as base:
        body = {"comment": {"text": "slow"}, "requestedAttributes": {"TOXICITY": {}}}
        assert_error(request(base, "POST", ANALYZE, body), 504, "DEADLINE_EXCEEDED")
        time.sleep(0.6)
        assert request(base, "GET", "/healthz").status == 200


def test_native_score_returns_full_rows_with_thread_structure(fast_server):
    body = {
        "article": {"article_id": "budget", "title": "City budget passes", "body": ["The council voted 7-2."]},
        "comments": [
            {"comment_id": "c1", "author": "ana", "text": "Finally, a sensible budget."},
            {"comment_id": "c2", "parent_id": "c1", "author": "bo", "text": "What a load of crap, ana."},
            {"comment_id": 3, "parent_id": "c2", "author": "ana", "text": "Visit www.example.com for more"},
        ],
    }
    reply = request(fast_server, "POST", "/v1/score", body)
    assert reply.status == 200, reply.body
    out = reply.json()
    assert out["article"]["article_id"] == "budget" and out["article"]["n_comments"] == 3
    comments = out["comments"]
    assert [c["comment_id"] for c in comments] == ["budget#1", "budget#2", "budget#3"]
    assert [c["parent_id"] for c in comments] == [None, "budget#1", "budget#2"]
    assert [c["depth"] for c in comments] == [0, 1, 2]
    assert comments[1]["flagged"] and "profanity" in {f["reason"] for f in comments[1]["flags"]}
    assert not comments[2]["flagged"]  # a link alone is evidence, not a reason to queue (docs/flags.md)
    assert 0.0 <= comments[2]["severity"] < comments[1]["severity"]
    assert set(comments[0]["scores"]) == {"profanity", "sentiment"}
    assert out["threads"][0]["n_comments"] == 3


@pytest.mark.parametrize(
    "body",
    [
        {"comments": "not a list"},
        {"comments": []},
        {"comments": [{"text": 5}]},
        {"comments": [{"text": "hi", "colour": "red"}]},
        {"article": [], "comments": [{"text": "hi"}]},
        {"article": {"body": 7}, "comments": [{"text": "hi"}]},
        [1, 2, 3],
    ],
)
def test_native_score_bad_bodies_are_400(fast_server, body):
    assert_error(request(fast_server, "POST", "/v1/score", body), 400, "INVALID_ARGUMENT")


def test_metrics_and_health(fast_server):
    request(fast_server, "POST", ANALYZE, {"comment": {"text": "hi"}, "requestedAttributes": {"PROFANITY": {}}})
    health = request(fast_server, "GET", "/healthz").json()
    assert health["status"] == "ok" and health["preset"] == "fast" and "profanity" in health["attributes"]
    reply = request(fast_server, "GET", "/metrics")
    assert reply.headers["content-type"].startswith("text/plain")
    text = reply.body.decode()
    assert 'moderate_requests_total{code="200",endpoint="/v1alpha1/comments:analyze"}' in text
    assert "moderate_batch_size_count" in text and "moderate_queue_depth 0" in text


def test_no_comment_text_and_no_key_reach_the_logs(keyed_server, caplog):
    secret = "my private comment about the mayor"
    with caplog.at_level(logging.DEBUG):
        analyze(keyed_server, {"comment": {"text": secret}, "requestedAttributes": {"TOXICITY": {}}})
        analyze(keyed_server, {"comment": {"text": secret, "type": "HTML"}, "requestedAttributes": {"X": {}}})
        request(keyed_server, "POST", f"{ANALYZE}?key={KEY}", raw=secret.encode())
        time.sleep(0.1)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /v1alpha1/comments:analyze 200" in logged  # the access log is there ...
    assert secret not in logged and KEY not in logged  # ... without text or key


def test_cli_serve_refuses_an_unknown_preset_in_one_line():
    from typer.testing import CliRunner

    from moderation.cli import app

    result = CliRunner().invoke(app, ["serve", "--preset", "no-such-preset"])
    assert result.exit_code == 2
    assert "unknown preset" in result.output and len(result.output.strip().splitlines()) == 1
