"""Links and contact details in comment text (spam signals). Pure functions, no IO.

- links: only what is a link, not two sentences glued together (`interest.In`):
  a URL with a scheme (`https://...`); a `www.` address; a domain followed by a path
  (`example.com/offer`); or a bare all-lower-case domain under one of a few suffixes that
  spam uses (`cheap-pills.com`; see BARE_DOMAIN_SUFFIXES). The suffix of every domain must
  be a public suffix: the `tld` package ships Mozilla's Public Suffix List inside it and
  never downloads it at run time. `e.g.`, `U.S.`, `end.Next` and `interest.In` are not links.
- e-mail addresses.
- phone numbers: 7 to 15 digits written as a phone number: `+` and a country code, or at
  least three digit groups (`555-123-4567`, `(555) 123 4567`), or one run of 10 to 13
  digits starting with 0. Groups that look like years (`Feb 26 2017 17:45`), year
  ranges (`2015-2017`), prices and counts (`1,000,000`) do not match; neither do short
  local numbers in two groups (`555 1234`), a deliberate trade for fewer false alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tld import get_tld

# Public suffixes under which a bare domain (no scheme, no www., no path) counts as a link,
# and only when written in lower case: a capital after the dot is a sentence (`fine.The`).
BARE_DOMAIN_SUFFIXES: frozenset[str] = frozenset(
    ("com", "net", "org", "info", "biz", "io", "ru", "co.uk", "xyz", "top", "online", "site", "shop", "club")
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PATH = r"(?:[/?#][^\s<>\"')\]]*[^\s<>\"')\].,;:!?])?"
_SCHEME_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_DOMAIN = re.compile(
    rf"(?<![@\w.-])(?P<host>(?:{_LABEL}\.)+[a-z][a-z0-9-]{{1,23}})(?![\w-]|\.\w)(?P<path>{_PATH})", re.IGNORECASE
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,24}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?)?\(?\d[\d\s().-]{5,22}\d(?![\w])")
# Cheap tests that a text could hold a match at all (each is part of every match).
_URL_HINT = re.compile(r"://|\.[a-z0-9]", re.IGNORECASE)  # a scheme, or a dot before a label or suffix
_EMAIL_HINT = re.compile("@")
_PHONE_HINT = re.compile(r"\d")
_YEAR_RANGE = re.compile(r"^\d{4}\s*[-–]\s*\d{4}$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class Match:
    """What was found and where: kind (`url`, `email`, `phone`), the text, its span."""

    kind: str
    text: str
    start: int
    end: int


def find_links(text: str) -> list[Match]:
    """URLs and domains, in text order. E-mail domains are not reported as links."""
    if _URL_HINT.search(text) is None:
        return []
    taken = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
    found: list[Match] = []
    for m in _SCHEME_URL.finditer(text):
        found.append(Match("url", m.group(), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _DOMAIN.finditer(text):
        if not any(s <= m.start() < e for s, e in taken) and is_link_domain(m["host"], bool(m["path"])):
            found.append(Match("url", m.group(), m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def is_link_domain(host: str, has_path: bool) -> bool:
    """Whether a dotted name in running text is a web address (see the module doc)."""
    suffix = get_tld(host.lower(), fix_protocol=True, fail_silently=True)
    if not isinstance(suffix, str) or host.lower() == suffix:
        return False
    if host.lower().startswith("www.") or has_path:
        return True
    return host == host.lower() and suffix in BARE_DOMAIN_SUFFIXES


def find_contacts(text: str) -> list[Match]:
    """E-mail addresses and phone numbers, in text order."""
    found: list[Match] = []
    if _EMAIL_HINT.search(text) is not None:
        found += [Match("email", m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if _PHONE_HINT.search(text) is not None:
        found += [
            Match("phone", m.group(), m.start(), m.end()) for m in _PHONE.finditer(text) if _looks_like_phone(m.group())
        ]
    return sorted(found, key=lambda m: m.start)


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 7 <= len(digits) <= 15 or _YEAR_RANGE.match(candidate.strip()):
        return False
    groups = [g for g in re.split(r"[\s().-]+", candidate.lstrip("+")) if g]
    if candidate.startswith("+"):
        return len(digits) >= 8
    if len(groups) >= 3:
        return all(len(g) <= 5 for g in groups) and not any(_YEAR.match(g) for g in groups)
    return len(groups) == 1 and 10 <= len(digits) <= 13 and digits.startswith("0")
