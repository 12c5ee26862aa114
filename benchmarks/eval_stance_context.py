"""Thread context for stance: does the parent reply help, beside the source it answers?

    PYTHONPATH=. python benchmarks/eval_stance_context.py [--encoder minilm-moderate] [--c 1]

RumourEval replies answer either the source tweet (the stance target) or another reply. Two
stance heads are fitted the way the shipped one is (`moderation.training.ship.refit_stance`:
RumourEval train + all of VAST train, source- and class-balanced logistic regression, frozen
encoder, texts truncated to the encoder's word-piece limit):

- `pair`: the shipped features [reply, reply * target, |reply - target|];
- `pair+parent`: the same plus [reply * parent, |reply - parent|, parent is the source]; a VAST
  comment answers its topic, so its parent is the target.

Rule, fixed before any figure was read: keep the parent features only if they raise
leave-one-event-out macro-F1 on RumourEval train (VAST always in the fit). RumourEval dev and
VAST dev/test are printed for both, for the record; they decide nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks.eval_html_pages import shared_data_dir
from moderation.config import EncoderSpec
from moderation.schema import SCORE_GROUPS
from moderation.scoring.encoder import SentenceEncoder, encoder_path
from moderation.scoring.heads import stance_features
from moderation.training import sets
from moderation.training.embed import embed_cached
from moderation.training.fit import balanced_weights, fit_logistic
from moderation.training.ship import stance_macro_f1

NAMES = SCORE_GROUPS["stance"]


def replies(data_dir: Path):  # -> pandas.DataFrame
    import pandas as pd

    path = data_dir / "rumoureval2017_threads" / "rumoureval2017_sdqc_threads.jsonl"
    df = pd.read_json(path, lines=True, dtype={"tweet_id": str, "parent_id": str, "thread_id": str})
    text = dict(zip(df["tweet_id"], df["text"], strict=True))
    source = df[df["is_source"]].set_index("thread_id")["text"].to_dict()
    rep = df[~df["is_source"] & df["stance"].isin(NAMES) & df["thread_id"].isin(source)].copy()
    rep["target"] = rep["thread_id"].map(source)
    rep["parent"] = [text.get(p, source[t]) for p, t in zip(rep["parent_id"], rep["thread_id"], strict=True)]
    rep["direct"] = (rep["parent_id"] == rep["thread_id"]).astype(np.float32)
    rep["y"] = rep["stance"].map(NAMES.index)
    return rep


def features(reply: np.ndarray, target: np.ndarray, parent: np.ndarray, direct: np.ndarray, ctx: bool) -> np.ndarray:
    pair = stance_features(reply, target, None)
    if not ctx:
        return pair
    return np.hstack([pair, reply * parent, np.abs(reply - parent), direct[:, None]]).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="minilm-moderate")
    parser.add_argument(
        "--c", type=float, default=1.0, help="logistic C (the shipped refit's rule picks it on VAST dev)"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="shared data (default: MODERATE_SHARED_DATA)")
    args = parser.parse_args()
    data_dir = args.data_dir or shared_data_dir()
    spec = EncoderSpec(model=args.encoder)
    enc = SentenceEncoder(
        encoder_path(spec.model), batch_size=32, max_tokens=spec.max_tokens, threads=2, name=spec.model
    )

    def emb(texts) -> np.ndarray:
        return embed_cached([str(t) for t in texts], enc)

    def rumour_x(part, ctx: bool) -> np.ndarray:
        return features(emb(part["text"]), emb(part["target"]), emb(part["parent"]), part["direct"].to_numpy(), ctx)

    def vast_x(s, ctx: bool) -> np.ndarray:
        r, t = emb(s.texts), emb(s.extra["target"])
        return features(r, t, t, np.ones(len(s.texts), dtype=np.float32), ctx)

    rep = replies(data_dir)
    train, dev = rep[rep["split"] == "train"], rep[rep["split"] == "dev"]
    y_train, y_dev, events = train["y"].to_numpy(), dev["y"].to_numpy(), train["event"].to_numpy()
    vast = sets.vast(data_dir, "train")
    y_vast = vast.labels["stance"]
    print(
        f"RumourEval replies: train {len(train)}, dev {len(dev)};",
        f"answering another reply: {1 - rep['direct'].mean():.0%}",
    )
    results = {}
    for ctx in (False, True):
        x_train, x_vast = rumour_x(train, ctx), vast_x(vast, ctx)
        loeo = np.zeros((len(train), len(NAMES)))
        for event in sorted(set(events.tolist())):
            held = events == event
            x = np.vstack([x_train[~held], x_vast])
            y = np.concatenate([y_train[~held], y_vast])
            groups = ["rumoureval"] * int((~held).sum()) + ["vast"] * len(y_vast)
            loeo[held] = fit_logistic(x, y, balanced_weights(y, groups), args.c).decision_function(x_train[held])
        x, y = np.vstack([x_train, x_vast]), np.concatenate([y_train, y_vast])
        model = fit_logistic(x, y, balanced_weights(y, ["rumoureval"] * len(y_train) + ["vast"] * len(y_vast)), args.c)
        row = {
            "rumoureval_train_leave_one_event_out": stance_macro_f1(y_train, loeo, three_way=False),
            "rumoureval_dev": stance_macro_f1(y_dev, model.decision_function(rumour_x(dev, ctx)), three_way=False),
        }
        for split in ("dev", "test"):
            s = sets.vast(data_dir, split)
            logits = model.decision_function(vast_x(s, ctx))
            row[f"vast_{split}"] = stance_macro_f1(s.labels["stance"], logits, three_way=True)
        results["pair+parent" if ctx else "pair"] = row
    print(f"encoder {args.encoder}, C {args.c:g}; macro-F1:")
    print("| features | " + " | ".join(results["pair"]) + " |")
    print("| --- |" + " --- |" * len(results["pair"]))
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    keep = (
        results["pair+parent"]["rumoureval_train_leave_one_event_out"]
        > results["pair"]["rumoureval_train_leave_one_event_out"]
    )
    print(f"rule (leave-one-event-out on train): {'keep' if keep else 'do not keep'} the parent features")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
