"""`python -m moderation.training {toxicity,sentiment,stance,all,export-stance,severity}`.

Trains the default preset's heads from the shared data folder (default ../shared/data next
to the repository) with fixed seeds, writes models/<name>/head.npz and MODEL_CARD.md, and
quotes `moderate eval` output on held-out data in each card.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from moderation.config import resource_dir
from moderation.training.data import DEFAULT_DATA_DIR
from moderation.training.embed import DEFAULT_CACHE

HOLDOUT_DIR = Path("/tmp/moderate-eval")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation.training", description=__doc__)
    parser.add_argument(
        "what",
        choices=[
            "toxicity",
            "sentiment",
            "stance",
            "all",
            "export-stance",
            "export-heldout",
            "bundle",
            "ship",
            "severity",
            "unhealthy",
            "refit-stance",
        ],
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="shared data folder")
    parser.add_argument(
        "--models-dir", type=Path, default=None, help="where models/<name>/ go (default: the repo's models/)"
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="embedding cache (not in git)")
    parser.add_argument("--holdout-dir", type=Path, default=HOLDOUT_DIR, help="where held-out eval CSVs are written")
    parser.add_argument(
        "--ucc-train-fraction",
        type=float,
        default=0.5,
        help="share of UCC val rows added to the toxicity mix; the rest is the held-out yardstick",
    )
    parser.add_argument("--no-eval", action="store_true", help="skip the `moderate eval` runs quoted in the cards")
    parser.add_argument("--out", type=Path, default=Path(".gpu"), help="bundle: folder for the GPU fine-tune inputs")
    parser.add_argument("--run", type=Path, help="ship: folder that finetune.py wrote")
    parser.add_argument("--mix", type=Path, help="ship: the training table the run used (its sha256 goes in each head)")
    parser.add_argument(
        "--refit-stance-vast-posts",
        type=int,
        default=None,
        help="ship: refit the stance head on CPU (RumourEval train + this many VAST train comments)",
    )
    parser.add_argument("--preset", default="default", help="severity: the preset whose scores it reads")
    parser.add_argument(
        "--scores-cache", type=Path, default=HOLDOUT_DIR, help="severity: folder of the scores cache (not in git)"
    )
    args = parser.parse_args(argv)
    if args.what == "severity":
        from moderation.training.run import severity

        print(severity(args))
        return 0
    if args.what == "refit-stance":
        from moderation.training.ship import refit_stance_head

        print(refit_stance_head(args.models_dir or resource_dir("models"), args.data_dir))
        return 0
    if args.what == "unhealthy":
        from moderation.training.run import unhealthy

        print(unhealthy(args))
        return 0

    from moderation.training.run import export_stance, run

    if args.what == "ship":
        import json

        from moderation.training.ship import ship

        if args.run is None or args.mix is None:
            parser.error("ship needs --run and --mix")
        report = ship(
            args.run, args.models_dir or resource_dir("models"), args.data_dir, args.mix, args.refit_stance_vast_posts
        )
        print(json.dumps(report, indent=1))
        return 0
    if args.what == "bundle":
        from moderation.training.mix import bundle

        names = ("toxicity-minilm", "sentiment-minilm", "stance-minilm")
        models = args.models_dir or resource_dir("models")
        for path in bundle(args.data_dir, args.out, [models / n / "head.npz" for n in names]):
            print(f"{path}  {path.stat().st_size:,} bytes")
        return 0

    if args.what == "export-heldout":
        from moderation.training.mix import export_heldout

        for path in export_heldout(args.data_dir, args.holdout_dir):
            print(path)
        return 0
    if args.what == "export-stance":
        for path in export_stance(args.data_dir, args.holdout_dir):
            print(path)
        return 0
    run(args.what, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
