"""The language of each comment, detected offline with py3langid (its model ships inside the
package; nothing is downloaded). No torch.

Language identification is unreliable on a few words ("Excellent article." comes out as
French, "Idiot alert" as Danish), but those guesses come with a low probability. The rule:

- a comment takes its detected language when the detector's normalised probability is at
  least `CONFIDENT` (0.9);
- otherwise it takes its article's language: that of the title and body when those are
  detected confidently, else the most common confident language among the article's
  comments, else `DEFAULT_LANGUAGE` (English).

So a short German reply on a German page counts as German, and a short English comment on
an English page as English. Measured on a quarter of the UCC Globe and Mail comments (all
English; 1,107 rows, every fourth from the second): no comment was detected as another
language at probability >= 0.8 (`benchmarks/eval_language.py`). Placeholders and comments
without text get no language (None). Only the first `MAX_CHARS` characters are read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from moderation.analysis.language_batch import BatchIdentifier
from moderation.schema import Article, Comment

CONFIDENT = 0.9
DEFAULT_LANGUAGE = "en"
MAX_CHARS = 2000


def load() -> None:
    """Load the detector's model now (about half a second) rather than at the first comment."""
    _identifier()


@lru_cache(maxsize=1)
def _identifier() -> BatchIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return BatchIdentifier(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))


def detect(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, normalised probability) of the text's most likely language."""
    return detect_many([text])[0]


def detect_many(texts: Sequence[str]) -> list[tuple[str, float]]:
    """`detect` of each text, the detector's byte walk done for all of them together
    (`language_batch.py`: py3langid's answers, several times faster on many texts)."""
    found = _identifier().classify_many([t[:MAX_CHARS] for t in texts])
    return [(str(language), float(probability)) for language, probability in found]


def confident_language(text: str) -> str | None:
    """The detected language when the detector is confident, else None."""
    return confident_languages([text])[0]


def confident_languages(texts: Sequence[str]) -> list[str | None]:
    """`confident_language` of each text, detected together."""
    with_letters = [i for i, t in enumerate(texts) if any(map(str.isalpha, t[:MAX_CHARS]))]
    out: list[str | None] = [None] * len(texts)  # no letters ("+1", "!!!"): the article's language
    for i, (language, probability) in zip(with_letters, detect_many([texts[i] for i in with_letters]), strict=True):
        out[i] = language if probability >= CONFIDENT else None
    return out


def article_language(article: Article, comment_languages: Sequence[str | None] = ()) -> str:
    """The page's language: its title and body, else its comments' majority, else English."""
    page = " ".join(p for p in (article.title, *article.body) if p)
    found = confident_language(page) if page.strip() else None
    if found is not None:
        return found
    counts = Counter(lang for lang in comment_languages if lang is not None)
    return counts.most_common(1)[0][0] if counts else DEFAULT_LANGUAGE


def assign_languages(*articles: Article) -> None:
    """Set `language` on every comment of the articles that has the author's own text (copies
    and taken-down comments too); nothing to do for an article where each already has one.
    The comments of all the articles are detected together."""
    todo: list[list[Comment]] = []
    for article in articles:
        candidates = [c for c in article.comments if not c.placeholder and c.text.strip()]
        todo.append([] if all(c.language is not None for c in candidates) else candidates)
    detected = iter(confident_languages([c.text for candidates in todo for c in candidates]))
    for article, candidates in zip(articles, todo, strict=True):
        if not candidates:
            continue
        languages = [next(detected) for _ in candidates]
        fallback = article_language(article, languages) if None in languages else None
        for comment, language in zip(candidates, languages, strict=True):
            comment.language = language or fallback
