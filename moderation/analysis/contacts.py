"""Links and contact details in comment text (spam signals). Pure functions, no IO.

- links: `http(s)://...`, `www....`, and bare domains with a common top-level domain
  (`example.com/path`); the TLD list keeps `e.g.`, `U.S.` and `end.Next` out.
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

# Top-level domains that bare domains (without http:// or www.) must end with.
COMMON_TLDS: tuple[str, ...] = (
    "com", "org", "net", "info", "biz", "io", "co", "me", "tv", "ly", "gl", "to", "gd", "news",
    "online", "site", "xyz", "top", "club", "app", "blog", "shop", "edu", "gov", "int",
    "uk", "de", "fr", "ru", "ua", "us", "eu", "ca", "au", "nz", "in", "cn", "jp", "br", "es",
    "it", "nl", "pl", "se", "no", "fi", "dk", "ch", "at", "be", "tr", "ir", "sy", "il",
)  # fmt: skip
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PATH = r"(?:[/?#][^\s<>\"')\]]*[^\s<>\"')\].,;:!?])?"
_URL = re.compile(
    rf"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
    rf"|\bwww\.(?:{_LABEL}\.)+[a-z]{{2,24}}\b{_PATH}"
    rf"|(?<![@\w.-])(?:{_LABEL}\.)+(?:{'|'.join(COMMON_TLDS)})\b(?![.-]?\w){_PATH}",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,24}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?)?\(?\d[\d\s().-]{5,22}\d(?![\w])")
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
    emails = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
    return [
        Match("url", m.group(), m.start(), m.end())
        for m in _URL.finditer(text)
        if not any(s <= m.start() < e for s, e in emails)
    ]


def find_contacts(text: str) -> list[Match]:
    """E-mail addresses and phone numbers, in text order."""
    found = [Match("email", m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]
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
