"""Server settings and API keys.

`ServeSettings` travels to each uvicorn worker process as JSON in one environment variable
(`--workers N` starts N processes, each with its own models). API keys come from a file (one
per line, `#` comments) and/or the MODERATE_API_KEYS environment variable (comma separated);
with no key configured the server answers anyone who can reach it, which is why it binds to
127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from moderation.errors import ConfigError

SETTINGS_ENV = "MODERATE_SERVE_SETTINGS"
KEYS_ENV = "MODERATE_API_KEYS"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True, slots=True)
class ServeSettings:
    preset: str = "default"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    max_batch: int = 32  # texts per scoring pass
    max_wait_ms: float = 5.0  # how long the first text of a batch waits for company
    max_queue: int = 256  # texts waiting; beyond it requests get 429 with Retry-After
    max_body_bytes: int = 1024 * 1024  # request bodies larger than this are refused unread
    max_text_bytes: int = 20 * 1024  # per comment, as Perspective
    max_comments: int = 1000  # per /v1/score request
    request_timeout_s: float = 30.0  # reading the body plus waiting for the scores
    keys_file: str | None = None
    public_url: str | None = None  # rootUrl in the discovery document (default: the request's host)
    warm_up: bool = True  # score one text at start so that the first request is not slow
    log_level: str = "info"

    def __post_init__(self) -> None:
        for name in ("max_batch", "max_queue", "max_body_bytes", "max_text_bytes", "max_comments", "workers"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.max_wait_ms < 0 or self.request_timeout_s <= 0:
            raise ConfigError("max_wait_ms must be >= 0 and request_timeout_s > 0")
        if self.log_level not in ("debug", "info", "warning", "error", "critical"):
            raise ConfigError(f"log level must be debug, info, warning, error or critical, got {self.log_level!r}")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeSettings:
        return cls(**json.loads(text))

    @classmethod
    def from_env(cls) -> ServeSettings:
        text = os.environ.get(SETTINGS_ENV)
        return cls.from_json(text) if text else cls()

    @property
    def loopback_only(self) -> bool:
        return self.host in LOOPBACK_HOSTS


class ApiKeys:
    """The accepted keys, held as SHA-256 digests and compared in constant time."""

    def __init__(self, keys: list[str]) -> None:
        self._digests = [hashlib.sha256(k.encode()).digest() for k in keys]

    @classmethod
    def load(cls, keys_file: str | None, environ: dict[str, str] | None = None) -> ApiKeys:
        env = os.environ if environ is None else environ
        keys = [k.strip() for k in env.get(KEYS_ENV, "").split(",") if k.strip()]
        if keys_file is not None:
            path = Path(keys_file)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read API keys file {path}: {exc}") from None
            from_file = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
            if not from_file:
                raise ConfigError(f"API keys file {path} holds no key")
            keys += from_file
        return cls(keys)

    @property
    def required(self) -> bool:
        return bool(self._digests)

    def __len__(self) -> int:
        return len(self._digests)

    def accepts(self, key: str) -> bool:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        found = False
        for known in self._digests:  # no early exit: time does not depend on which key matched
            found |= hmac.compare_digest(digest, known)
        return found
