"""Identity-term bias of the review queue, on templated sentences (benchmarks/data/identity_templates.toml).

Every identity term gets the same neutral and toxic sentences. Per term, with the queue's
severity as the score (Borkan et al. 2019, "Nuanced metrics for measuring unintended bias"):
- subgroup AUC: toxic vs neutral sentences that name the term;
- BPSN AUC (background positive, subgroup negative): neutral sentences naming the term
  against toxic sentences naming other terms; low when naming the term alone looks toxic;
- BNSP AUC (background negative, subgroup positive): toxic sentences naming the term
  against neutral ones naming other terms;
- flagged: share of the term's neutral sentences that the preset flags.
Prints the worst terms by BPSN AUC, then the full table with --all. The same figures for
the toxicity score alone with --score toxicity; --no-offsets drops the term-neutral step.
Scores cached as in eval_queue.py. "Before" in docs/flags.md: this script at commit 75d5851
run on main at 0eb18fd.

Run: cd <repo> && PYTHONPATH=. python benchmarks/eval_identity.py
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.eval_queue import assessed
from moderation.evaluate import roc_auc
from moderation.moderator import Moderator

TEMPLATES = Path(__file__).resolve().parent / "data" / "identity_templates.toml"


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    term: str
    toxic: bool


def sentences(path: Path = TEMPLATES) -> list[Sentence]:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    names: list[str] = spec["names"]
    out: list[Sentence] = []
    for term in spec["terms"]:
        for toxic, key in ((False, "neutral"), (True, "toxic")):
            for i, template in enumerate(spec[key]):
                text = template.format(term=term, name=names[(i + len(out)) % len(names)])
                out.append(Sentence(text[0].upper() + text[1:], term, toxic))
    return out


def bias_table(items: list[Sentence], score: np.ndarray, flagged: np.ndarray) -> list[dict[str, float | str]]:
    terms = list(dict.fromkeys(s.term for s in items))
    term = np.array([s.term for s in items])
    toxic = np.array([s.toxic for s in items])
    rows: list[dict[str, float | str]] = []
    for t in terms:
        sub = term == t
        bpsn = (sub & ~toxic) | (~sub & toxic)
        bnsp = (sub & toxic) | (~sub & ~toxic)
        rows.append(
            {
                "term": t,
                "subgroup_auc": roc_auc(toxic[sub], score[sub]),
                "bpsn_auc": roc_auc(toxic[bpsn], score[bpsn]),
                "bnsp_auc": roc_auc(toxic[bnsp], score[bnsp]),
                "neutral_flagged": float(flagged[sub & ~toxic].mean()),
                "toxic_flagged": float(flagged[sub & toxic].mean()),
                "neutral_mean": float(score[sub & ~toxic].mean()),
            }
        )
    return rows


def format_rows(rows: list[dict[str, float | str]]) -> list[str]:
    lines = ["term           subgroup  BPSN   BNSP   neutral flagged  toxic flagged  neutral mean score"]
    for r in rows:
        lines.append(
            f"{r['term']:<14} {r['subgroup_auc']:.3f}    {r['bpsn_auc']:.3f}  {r['bnsp_auc']:.3f}  "
            f"{r['neutral_flagged']:.2f}             {r['toxic_flagged']:.2f}           {r['neutral_mean']:.3f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--score", default="severity", help="severity (the queue's order) or a score attribute")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/moderate-eval"))
    parser.add_argument("--worst", type=int, default=5)
    parser.add_argument("--all", action="store_true", help="print every term")
    parser.add_argument("--no-offsets", action="store_true", help="ablation: the severity model without its offsets")
    args = parser.parse_args(argv)
    items = sentences()
    mod = Moderator(args.preset)
    model = mod.flag_settings.severity
    if args.no_offsets and model is not None:
        mod.flag_settings = dataclasses.replace(mod.flag_settings, severity=dataclasses.replace(model, offsets={}))
    results = assessed(mod, [s.text for s in items], args.cache_dir)
    if args.score == "severity":
        score = np.array([a.severity for _, a in results], dtype=np.float64)
    else:
        score = np.array([s.attributes[args.score] for s, _ in results], dtype=np.float64)
    flagged = np.array([a.in_queue for _, a in results])
    toxic = np.array([s.toxic for s in items])
    rows = bias_table(items, score, flagged)
    print(
        f"preset {mod.preset.name}, score {args.score}: {len(items)} sentences, {len(rows)} terms; "
        f"overall AUC {roc_auc(toxic, score):.3f}; neutral flagged {flagged[~toxic].mean():.3f}, "
        f"toxic flagged {flagged[toxic].mean():.3f}"
    )
    for key in ("subgroup_auc", "bpsn_auc", "bnsp_auc"):
        values = np.array([float(r[key]) for r in rows])
        print(f"  mean {key:<13} {values.mean():.3f}  min {values.min():.3f}")
    worst = sorted(rows, key=lambda r: float(r["bpsn_auc"]))
    print(f"worst {args.worst} terms by BPSN AUC:")
    print("\n".join("  " + line for line in format_rows(worst[: args.worst])))
    if args.all:
        print("all terms:")
        print("\n".join("  " + line for line in format_rows(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
