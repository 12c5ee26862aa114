"""What the plain-text page reader knows about site layouts, as data.

Every pattern is matched against a line that has been stripped and passed through
`moderation.textnorm.fold_confusables`, with `re.fullmatch` unless said otherwise.
A new site layout should mostly mean new rows here, not new code in `text_page.py`.
"""

from __future__ import annotations

import re

# (site, pattern searched anywhere in the page): first hit names the site.
SITE_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("TASS", re.compile(r"/TASS/|^All news$", re.M)),
    ("Sputnik", re.compile(r"Comment via Sputnik|^\s*Get short URL\s*$", re.M)),
    ("RT", re.compile(r"^(?:LISTEN|WATCH|READ) MORE:", re.M)),
)

# Page chrome outside the comment section: (kind, whole-line pattern).
BOILERPLATE_LINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("navigation", re.compile(r"All news|Home|Menu")),
    ("share", re.compile(r"Get short URL|Share(?: this)?(?: article)?:?|Print")),
    ("media_link", re.compile(r"(?:LISTEN|WATCH) MORE:?|READ MORE:.*")),
    ("photo_credit", re.compile(r"(?:©|\(c\)|Photo:)\s*\S.*", re.I)),
)

# Chrome of the comment section: (kind, whole-line pattern, opens_section).
COMMENT_CHROME: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("community_standards", re.compile(r"Community standards.*"), True),
    ("comment_via", re.compile(r"(?:Comment via \w+)+"), True),
    ("comment_button", re.compile(r"(?:[•·]\s*)?(?:Add a )?Comment"), True),
    ("all_comments", re.compile(r"All comments|Comments(?: \(\d+\))?|\d+ comments?", re.I), True),
    ("show_new_comments", re.compile(r"Show (?:new|more) comments(?: \(\d+\))?", re.I), False),
    ("load_more", re.compile(r"Load more(?: comments)?", re.I), False),
)

# A comment starts at a bulleted line; its text lines follow, indented.
COMMENT_BULLET = re.compile(r"[•·▪●]\s*(?P<head>.*\S)")

# Bullet heads that stand for a picture, not a name: the author is unknown.
AVATAR_PLACEHOLDERS: frozenset[str] = frozenset({"avatar", "user avatar", "anonymous", "default avatar"})

# "NAMEin reply toOTHER(Show commentHide comment)rest": the words may be glued together.
REPLY_LINE = re.compile(
    r"(?P<author>.+?)\s*in reply to\s*(?P<target>.+?)\s*(?:\(Show comment\s*Hide comment\)\s*(?P<rest>.*))?"
)
# Toggle chrome that must never land in comment text (searched, not fullmatched).
COMMENT_TOGGLE = re.compile(r"\(Show comment\s*Hide comment\)")

# Datelines. `inline`: a prefix of the first body paragraph; `line`: a line of its own.
DATELINE_INLINE = re.compile(
    r"(?P<place>[A-Z][A-Z .'-]+), (?P<date>[A-Z][a-z]+ \d{1,2})\. /(?P<agency>[A-Z]+)/\.\s+(?P<rest>.*)"
)
DATELINE_LINE = re.compile(r"(?P<time>\d{1,2}:\d{2}) GMT ?(?P<tz>[+-]\d)?(?P<date>\d{1,2} [A-Z][a-z]+ \d{4})")

# Photo captions: a credit inside the line, a position marker, or a trailing date.
# Only applied before the first body paragraph and next to a credit line.
CAPTION_MARKERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?:EPA|REUTERS|AP|AFP|Getty Images|Sputnik|RIA Novosti|TASS)\s*/\s*\S"),
    re.compile(r"\((?:R|L|C|left|right|centre|center)\)"),
    re.compile(r"\b[A-Z][a-z]+ \d{1,2}, \d{4}\.?$"),
)

# A list item of related headlines ("- Headline").
RELATED_BULLET = re.compile(r"[-–—•]\s+(?P<headline>\S.*)")

# Prose: a paragraph that ends like a sentence.
SENTENCE_END = re.compile(r"""[.!?…]["'”’»)\]]*$|["”»]$""")
PROSE_MIN_CHARS = 60

# A tags line: at least this many comma-separated items, each at most this many words.
TAGS_MIN_ITEMS = 3
TAG_MAX_WORDS = 5
# A section label ("Middle East") has at most this many words.
SECTION_MAX_WORDS = 3
# A subtitle has at least this many words.
SUBTITLE_MIN_WORDS = 6
