"""Shared helpers of the format tests."""

from __future__ import annotations

from pathlib import Path

from moderation.schema import Article

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def fixture(name: str) -> tuple[bytes, str]:
    path = FIXTURES / name
    return path.read_bytes(), str(path)


def edges(article: Article) -> list[tuple[int, int]]:
    """(position, parent position) of every reply."""
    pos = {c.comment_id: c.position for c in article.comments}
    return [(c.position, pos[c.parent_id]) for c in article.comments if c.parent_id]


def kinds(article: Article) -> list[str]:
    return sorted(p.kind for p in article.problems)


# Two exports of one Globe and Mail thread (article 55555555): the newer comment system
# (ms timestamps, UTC) and the older one (local dates). Words of the comments:
ANN = "Nobody in this government has read the budget they voted for last night."
BOB = "They never do, and the opposition is no better at reading it either."
EVE = "Thanks for a clear explanation of where the money actually goes this year."
FAY = "Only in the older export: a comment the newer one lost along the way."
NEW_EXPORT = {
    "55555555": {
        "data_type": "comment",
        "comments": [
            {
                "ID": "a1",
                "commentText": ANN,
                "timestamp": 1455672975000,  # 2016-02-17T01:36:15Z: the evening of the 16th in Toronto
                "sender": {"name": "Ann"},
                "status": "published",
                "replies": [
                    {"ID": "b1", "parentID": "a1", "commentText": BOB, "timestamp": 1455676000000,
                     "sender": {"name": "Bob"}, "status": "published"},
                ],
            },
            # another author, the same words: a duplicate post, whatever the exports say
            {"ID": "d1", "commentText": ANN, "timestamp": 1455680000000, "sender": {"name": "Dan"}},
            {"ID": "e1", "commentText": EVE, "timestamp": 1455681000000, "sender": {"name": "Eve"}},
            {"ID": "e2", "commentText": EVE, "timestamp": 1455690000000, "sender": {"name": "Eve"}},  # a repeat
        ],
    }
}  # fmt: skip
OLD_EXPORT = {
    "c1": {"text": ANN, "author": "Ann", "post_time": "Feb 16, 2016", "reactions": {},
           "replies": [{"text": BOB, "author": "Bob", "post_time": "Feb 16, 2016"}]},
    "c2": {"text": ANN, "author": "Dan", "post_time": "Feb 16, 2016", "replies": []},
    "c3": {"text": EVE, "author": "Eve", "post_time": "Feb 16, 2016", "replies": []},
    "c4": {"text": EVE, "author": "Eve", "post_time": "Feb 17, 2016", "replies": []},
    "c5": {"text": FAY, "author": "Fay", "post_time": "Feb 16, 2016", "replies": []},
    # Ann's words again four days later: a repeat, not the same comment
    "c6": {"text": ANN.replace("budget", "bud&amp;get"), "author": "ann ", "post_time": "Feb 20, 2016", "replies": []},
}  # fmt: skip


def write_two_exports(folder: Path) -> tuple[Path, Path]:
    """The newer and the older export of one thread, as the scraper names them (new first)."""
    import json

    new, old = folder / "CommentsRawData", folder / "CommentReactionsRawData"
    for sub, doc in ((new, NEW_EXPORT), (old, OLD_EXPORT)):
        sub.mkdir(parents=True, exist_ok=True)
        (sub / "article_55555555_comments.json").write_text(json.dumps(doc), encoding="utf-8")
    return new / "article_55555555_comments.json", old / "article_55555555_comments.json"
