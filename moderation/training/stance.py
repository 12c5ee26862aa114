"""Train `models/stance-minilm`: reply stance toward the thread's source post (RumourEval).

Pair features [reply, source * reply, |source - reply|] on frozen MiniLM plus cue counts,
class-balanced logistic regression, fitted on split=train. Reported: macro-F1 on split=dev
and leave-one-event-out on train (the shared file holds no test split), beside always-"comment".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.evaluate import macro_f1, per_class
from moderation.scoring.encoder import SentenceEncoder
from moderation.scoring.heads import stance_cues, stance_features
from moderation.training import data
from moderation.training.embed import embed_cached
from moderation.training.fit import balanced_weights, fit_logistic, linear_arrays

C = 0.5


@dataclass
class StanceResult:
    arrays: dict[str, np.ndarray]
    metrics: dict[str, float]
    counts: dict[str, int]


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    names = data.STANCES
    return macro_f1(per_class([names[i] for i in y], [names[i] for i in pred], names))


def features(s: data.LabelledSet, encoder: SentenceEncoder) -> np.ndarray:
    targets = s.extra["target"]
    vectors = embed_cached(s.texts + targets, encoder)
    reply, target = vectors[: len(s.texts)], vectors[len(s.texts) :]
    return stance_features(reply, target, stance_cues(s.texts))


def train(data_dir: Path, encoder: SentenceEncoder) -> StanceResult:
    s = data.rumoureval(data_dir)
    x = features(s, encoder)
    y = s.labels["label"]
    split = np.asarray(s.extra["split"])
    event = np.asarray(_reply_events(data_dir, s))
    tr, dev = split == "train", split == "dev"
    comment = data.STANCES.index("comment")
    loeo = np.zeros(int(tr.sum()), dtype=int)
    xt, yt, et = x[tr], y[tr], event[tr]
    for e in sorted(set(et.tolist())):
        held = et == e
        model = fit_logistic(xt[~held], yt[~held], balanced_weights(yt[~held]), C)
        loeo[held] = model.predict(xt[held])
    model = fit_logistic(xt, yt, balanced_weights(yt), C)
    metrics = {
        "dev_macro_f1": _f1(y[dev], model.predict(x[dev])),
        "dev_macro_f1_always_comment": _f1(y[dev], np.full(int(dev.sum()), comment)),
        "train_leave_one_event_out_macro_f1": _f1(yt, loeo),
        "train_leave_one_event_out_always_comment": _f1(yt, np.full(len(yt), comment)),
    }
    counts = {"train": int(tr.sum()), "dev": int(dev.sum()), "events": len(set(et.tolist()))}
    return StanceResult(linear_arrays("stance", model), metrics, counts)


def _reply_events(data_dir: Path, s: data.LabelledSet) -> list[str]:
    """Event of each reply in `s` (same row order as `data.rumoureval`)."""
    from datasets import load_dataset

    path = data_dir / "rumoureval2017_threads" / "rumoureval2017_sdqc_threads.jsonl"
    df = load_dataset("json", data_files=str(path), split="train").to_pandas()
    sources = set(df.loc[df["is_source"], "thread_id"])
    replies = df[~df["is_source"] & df["stance"].isin(data.STANCES) & df["thread_id"].isin(sources)]
    return [str(e) for e in replies["event"]]
