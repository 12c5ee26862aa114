"""Article files joined to their comment files, for exports that keep them apart.

The Globe and Mail scraper writes an article's text (`ArticleRawData/article_<id>.json`) and
its comments (`CommentsRawData/article_<id>_comments.json`, older system:
`CommentReactionsRawData/article_<id>_comments.json`) to separate files. Readers name the
platform's article id in `Article.extra["article_ref"]`:

- an article file: the key of its JSON object (`{"28494689": {"title": ...}}`);
- a comments file: the key of its JSON object (`{"28494689": {"comments": [...]}}`);
- an older comments file (its keys are comment ids): the first number of five or more digits
  in its file name, between underscores (`article_28494689_comments.json` -> 28494689).

A *context* article is one without comments that names an `article_ref`. Every article with
comments of the same format and `article_ref` gets the context's title, subtitle, dateline,
section, body, tags and site where it has none of its own, the context's `extra` keys it lacks
(the link, `extra["url"]`), and `extra["context_from"]` = {path, article_id} of the article
file. The comment article keeps its own id (`article_<id>_comments`, renamed `~2`, `~3`, ...
when another input used the id first: see `inputs.ReadState.unique`). A joined context is not
an article of the run by itself; a context nothing joins stays one, without comments.

So that the order of the inputs does not matter, files that hold context (judged from their
first bytes by the reader's `context` test) are read before all others; contexts nothing
joined, and anything else those files held, come after every other article of the run, in
input order. Disqus and WordPress exports hold threads and posts together: their readers join
them within the file and carry the thread's or post's link in `extra["url"]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moderation.schema import Article

REF = "article_ref"
CONTEXT_FROM = "context_from"
FILLED_FIELDS: tuple[str, ...] = ("title", "subtitle", "dateline", "section", "site")
FILLED_LISTS: tuple[str, ...] = ("body", "tags", "related")


def ref_key(article: Article) -> tuple[str, str] | None:
    """(format, the platform's article id) when the reader named one."""
    ref = article.extra.get(REF)
    return (article.format, str(ref)) if isinstance(ref, str | int) and str(ref) else None


def is_context(article: Article) -> bool:
    return not article.comments and ref_key(article) is not None


def merge_context(article: Article, context: Article) -> Article:
    """`article` (with comments) given `context`'s article fields where it has none of its own."""
    for name in FILLED_FIELDS:
        if getattr(article, name) is None and getattr(context, name) is not None:
            setattr(article, name, getattr(context, name))
    for name in FILLED_LISTS:
        if not getattr(article, name) and getattr(context, name):
            setattr(article, name, list(getattr(context, name)))
    for key, value in context.extra.items():
        article.extra.setdefault(key, value)
    article.extra[CONTEXT_FROM] = {"path": context.source_path, "article_id": context.article_id}
    return article


@dataclass(slots=True)
class Joiner:
    """One run's joins. `hold` the articles of context files (read first), then `join` every
    other article as it is read; `leftovers` are the held items nothing joined, in order.
    Both engines use it: the local run holds (article, path), the Ray driver row orders."""

    contexts: dict[tuple[str, str], int] = field(default_factory=dict)  # ref -> index into held
    held: list[tuple[Any, Article | None]] = field(default_factory=list)  # (item, the context or None)
    used: set[int] = field(default_factory=set)  # indexes into `held` that joined something

    def hold(self, item: Any, article: Article) -> None:
        key = ref_key(article) if is_context(article) else None
        if key is not None and key not in self.contexts:
            self.contexts[key] = len(self.held)
            self.held.append((item, article))
        else:  # not a context, or a second article file for one ref: kept as it is
            self.held.append((item, None))

    def context_for(self, key: tuple[str, str] | None, has_comments: bool) -> Article | None:
        """The held context an article with comments and this ref joins (None: none)."""
        index = self.contexts.get(key) if key is not None and has_comments else None
        if index is None:
            return None
        self.used.add(index)
        return self.held[index][1]

    def join(self, article: Article) -> Article:
        context = self.context_for(ref_key(article), bool(article.comments))
        return merge_context(article, context) if context is not None else article

    def joined(self) -> list[Any]:
        """The held items some article joined (not articles of the run by themselves)."""
        return [self.held[i][0] for i in sorted(self.used)]

    def leftovers(self) -> list[Any]:
        return [item for i, (item, _) in enumerate(self.held) if i not in self.used]
