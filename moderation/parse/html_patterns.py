"""Layout knowledge for saved HTML pages, kept as data: which class/id tokens mark a
comment, its author, its date, its text, and page chrome to leave out of comment text.

Tokens are matched one at a time, lowercased, against these regular expressions. Order
matters where a tuple is documented as ordered: the first match wins.
"""

from __future__ import annotations

import re

# Words that name a comment in the languages of the pages we see.
COMMENT_WORDS = r"(?:comment|kommentar|commentaire|comentario|commento|reactie)"
# A class token or id naming ONE comment: optional short site prefix, the word, an optional
# item suffix or number. Plural container names ("comments", "comment-list") do not match,
# nor do long prefixes such as "category-kommentar" (an opinion article, not a comment).
ITEM_TOKEN = re.compile(
    r"^(?:(?:li|div|wc|kb|ts|c|the|single|article|xenforo|js|qa|user|reader|bdaia-wbc|highlander)[-_])?"
    + COMMENT_WORDS
    + r"(?:[-_]?(?:item|entry|box|block|wrap|single|container|\d+))?(?:[-_]?\d+)?$"
)
# Site layouts whose comment items carry no comment word: (site, token pattern).
SITE_ITEM_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (("taz.de", re.compile(r"^bb_message_\d+$")),)
# Elements that can hold one comment.
ITEM_TAGS: frozenset[str] = frozenset({"li", "article", "div", "section", "dd", "tr", "td", "blockquote"})
# Parts of a page whose comment-like markup is not reader comments (sidebars' "recent
# comments", the comment form, navigation).
EXCLUDED_ZONE_TAGS: frozenset[str] = frozenset({"aside", "form", "nav", "script", "style", "template", "noscript"})
EXCLUDED_ZONE_TOKEN = re.compile(r"recentcomments|recent[-_]comments|^widget|comment-respond|comment-form|commentform")
# The charset a page declares in its first bytes (<meta charset=...> or http-equiv).
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
FALLBACK_ENCODING = "cp1252"

# Ordered: the first element (outside nested comments) matching one of these holds the text.
TEXT_TOKENS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:\w+[-_])?" + COMMENT_WORDS + r"[-_]?(?:content|text|texte|message|msg)$"),
    re.compile(r"^wpdiscuz-comment-message$|commentmessage$|commenttext$"),
    re.compile(r"^(?:\w+[-_])?" + COMMENT_WORDS + r"[-_]?(?:body|entry)$"),
)
TEXT_ITEMPROPS: tuple[str, ...] = ("text", "commenttext")
# Ordered: author name holders, most specific first.
AUTHOR_TOKENS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^fn$"),
    re.compile(r"(?:author|user)[-_]?name$|commentauthor$|^(?:\w+[-_])?" + COMMENT_WORDS + r"[-_]?(?:author|autor)$"),
    re.compile(r"^(?:author|autor|auteur|username|user|name|nick|commenter)$"),
)
AUTHOR_ITEMPROPS: tuple[str, ...] = ("author", "creator", "name")
AUTHOR_TAGS: tuple[str, ...] = ("cite",)
# Trailing words some themes put after the name ("Name says:").
AUTHOR_SUFFIX = re.compile(r"\s+(?:says|sagt|schreibt|meint|dit|dice|écrit)\s*:?\s*$", re.IGNORECASE)
DATE_TOKENS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:comment|kommentar|post)[-_]?(?:date|time|datum)$|commentdate$|commenttimestamp$"),
    re.compile(r"^(?:date|datum|time|timestamp|published|fecha|comment-metadata|commentmetadata)$"),
)
# A date a machine wrote (datetime attributes): the only dates kept as timestamps.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
# Page chrome inside a comment: left out of its text.
CHROME_TOKEN = re.compile(
    r"^reply$|^antworten$|reply-link|reply-button|replylink|reply-title|comment-reply$|comment-actions|comment-footer|"
    r"avatar|vote|like|share|"
    r"comment-meta|commentmetadata|^metadata$|report|flag|button|btn|icon|edit-link|permalink|says|quote-link|direct-link"
)
CHROME_TAGS: frozenset[str] = frozenset(
    {
        "button",
        "form",
        "script",
        "style",
        "svg",
        "img",
        "noscript",
        "template",
        "input",
        "textarea",
        "select",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
# Quoted text inside a comment (the parent or another comment it answers): kept in the
# comment's `quote`, never in its text. Elements: <blockquote> (unless it is a comment item
# itself) and elements whose class or id token matches.
QUOTE_TAGS: frozenset[str] = frozenset({"blockquote", "q"})
QUOTE_TOKEN = re.compile(
    r"^(?:bbcode[-_]?)?quote(?:[-_]?(?:content|box|block|text))?$|bbcodeblock--quote|^zitat$|^citation$"
)
# The first line of a quote that names whom it quotes ("michaelbrandi said:").
QUOTE_AUTHOR = re.compile(
    r"^(?P<author>\S.{0,78}?)\s+(?:said|wrote|says|schrieb|sagte|schreibt|a écrit|escribió)\s*:?$"
)
# A whole line of page chrome that the markup did not mark, at the start or the end of a
# comment's text: a date or time, a button word, a vote count or a comment number. Such
# lines are dropped from the text (kept in extra["chrome"]) unless nothing else is left.
_TIME = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|uhr|h)?"
_MONTH_WORD = r"[^\W\d_]{3,10}\.?"
CHROME_LINE = re.compile(
    r"^(?:"
    r"reply|replies|antworten|antwort|répondre|responder|rispondi|report|melden|share|teilen|like|liken|"
    r"gefällt mir|quote|zitieren|permalink|edit|bearbeiten|löschen|delete|flag|"
    rf"[-+▲▼↑↓]?\s*\d{{1,6}}\s*(?:likes?|votes?|points?|punkte|stimmen)?|"
    rf"(?:am |on |le |el )?\d{{1,2}}\.?\s*(?:{_MONTH_WORD}|\d{{1,2}}\.)\s*\d{{4}}"
    rf"(?:,?\s*(?:at|um|à|a las)?\s*{_TIME})?|"
    rf"(?:on )?{_MONTH_WORD}\s+\d{{1,2}},?\s+\d{{4}}(?:,?\s*(?:at\s*)?{_TIME})?|"
    rf"\d{{4}}-\d{{2}}-\d{{2}}(?:[ T]{_TIME})?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}(?:,?\s*{_TIME})?|{_TIME}|"
    r"(?:\d+|an?|one)\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s+ago|"
    r"vor\s+(?:\d+|einer?|einem)\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)"
    r")$",
    re.IGNORECASE,
)
# Block elements whose end starts a new line in a comment's text.
BLOCK_TAGS: frozenset[str] = frozenset({"p", "div", "br", "li", "blockquote", "pre", "ul", "ol", "tr"})
