"""Body/comment separation on real saved pages: our html_page reader against trafilatura alone.

Data: ../shared/data/pages_with_comments (or $MODERATE_SHARED_DATA/pages_with_comments):
71 gzipped pages and groundtruth.json with, per page, snippets that must be in the body
("with"), must not be in it ("without"), and must be in the comments ("comments").
Prints, for both extractors, the share of "with" snippets found in the body, of "without"
snippets kept out of it, and of "comments" snippets found in the comments.

Run: cd <repo> && PYTHONPATH=. python benchmarks/eval_html_pages.py
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def shared_data_dir() -> Path:
    env = os.environ.get("MODERATE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass
class Tally:
    with_found: int = 0
    with_total: int = 0
    without_kept_out: int = 0
    without_total: int = 0
    comments_found: int = 0
    comments_total: int = 0

    def figures(self) -> dict[str, float]:
        return {
            "body_with": self.with_found / max(self.with_total, 1),
            "body_without": self.without_kept_out / max(self.without_total, 1),
            "comments": self.comments_found / max(self.comments_total, 1),
        }


def _norm(text: str) -> str:
    return " ".join(text.split())


def _ours(data: bytes, name: str) -> tuple[str, str]:
    from moderation.parse import html_page

    [article] = html_page.READER.read(data, name, Path(name).stem)
    return "\n".join(article.body), "\n".join(c.text for c in article.comments)


def _trafilatura_alone(data: bytes, name: str) -> tuple[str, str]:
    import trafilatura

    body = trafilatura.extract(data, include_comments=False) or ""
    doc = trafilatura.bare_extraction(data, include_comments=True)
    return body, (doc.comments or "") if doc is not None else ""


EXTRACTORS: dict[str, Callable[[bytes, str], tuple[str, str]]] = {
    "moderate html_page": _ours,
    "trafilatura alone": _trafilatura_alone,
}


def evaluate(pages_dir: Path) -> dict[str, dict[str, float]]:
    truth = json.loads((pages_dir / "groundtruth.json").read_text(encoding="utf-8"))
    tallies = {name: Tally() for name in EXTRACTORS}
    for entry in truth.values():
        data = gzip.decompress((pages_dir / "html" / f"{entry['file']}.gz").read_bytes())
        for name, extract in EXTRACTORS.items():
            body, comments = (_norm(t) for t in extract(data, entry["file"]))
            t = tallies[name]
            for snippet in entry.get("with", []):
                t.with_total += 1
                t.with_found += _norm(snippet) in body
            for snippet in entry.get("without", []):
                t.without_total += 1
                t.without_kept_out += _norm(snippet) not in body
            for snippet in entry.get("comments", []):
                t.comments_total += 1
                t.comments_found += _norm(snippet) in comments
    return {name: t.figures() | {"pages": float(len(truth))} for name, t in tallies.items()}


def main() -> int:
    pages = shared_data_dir() / "pages_with_comments"
    if not (pages / "groundtruth.json").exists():
        print(f"no data at {pages}", file=sys.stderr)
        return 1
    for name, figures in evaluate(pages).items():
        print(
            f"{name:20s} pages={int(figures['pages'])}  body 'with' found={figures['body_with']:.3f}  "
            f"body 'without' kept out={figures['body_without']:.3f}  comments found={figures['comments']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
