"""Labelled training and evaluation sets, read from local files through `datasets`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SEED = 13


@dataclass
class LabelledSet:
    """Texts with named label columns (floats or ints) and a source name per text."""

    name: str
    texts: list[str]
    labels: dict[str, np.ndarray]
    source: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _csv(path: Path, **kwargs: Any) -> Any:
    from datasets import load_dataset

    return load_dataset("csv", data_files=str(path), split="train", **kwargs)


def civil_comments(data_dir: Path, limit: int = 5000, seed: int = SEED) -> LabelledSet:
    """Civil Comments toxic spans: majority-vote toxicity and per-type annotator shares.

    Labels: toxic (majority did not tick 'not toxic'), insult / identity_attack / profane /
    threat (share of annotators marking a span of that type), severe (a proxy, see below).
    Keeps every comment with identity-attack or threat share >= 1/3 (rare),
    fills up to `limit` with a seeded random sample.
    """
    import pandas as pd

    raw = data_dir / "civil_comments_toxic_spans" / "raw"
    comments = _csv(raw / "comments.csv").to_pandas()
    ann = _csv(raw / "annotations.csv").to_pandas()
    spans = _csv(raw / "spans.csv").to_pandas()
    kinds = {
        "Insult": "insult",
        "Identity based Attack": "identity_attack",
        "Profane/Obscene": "profane",
        "Threat": "threat",
    }
    spans = spans[spans["type"].isin(kinds)]
    marked = pd.crosstab(spans["annotation"], spans["type"].map(kinds)) > 0
    per_ann = ann.set_index("annotation").join(marked)
    for col in kinds.values():
        per_ann[col] = per_ann[col].fillna(False).astype(float)
    per_ann["not_toxic"] = per_ann["not toxic"].astype(str).str.lower().eq("true").astype(float)
    per_ann["all_toxic"] = per_ann["all toxic"].astype(str).str.lower().eq("true").astype(float)
    shares = per_ann.groupby("comment_id")[[*kinds.values(), "not_toxic", "all_toxic"]].mean()
    df = comments.set_index("comment_id").join(shares, how="inner").reset_index()
    df["toxic"] = (df["not_toxic"] < 0.5).astype(float)
    # Proxy for severe toxicity (no such label here): every rater toxic and at least half
    # marked an obscene, identity-attack or threat span. ('all toxic' does not track it.)
    graver = df[["profane", "identity_attack", "threat"]].max(axis=1)
    df["severe"] = ((df["not_toxic"] == 0) & (graver >= 0.5)).astype(float)
    rare = (df["identity_attack"] >= 1 / 3) | (df["threat"] >= 1 / 3)
    rest = df[~rare].sample(n=max(0, min(limit - int(rare.sum()), int((~rare).sum()))), random_state=seed)
    df = pd.concat([df[rare], rest]).sample(frac=1.0, random_state=seed)
    cols = ["toxic", "insult", "identity_attack", "profane", "threat", "severe"]
    return LabelledSet(
        "civil_comments",
        [str(t) for t in df["comment_text"]],
        {c: df[c].to_numpy(dtype=np.float64) for c in cols},
        ["civil_comments"] * len(df),
    )


def _tsv(path: Path) -> Any:
    return _csv(path, delimiter="\t")


def olid(data_dir: Path, limit: int = 2500, seed: int = SEED) -> LabelledSet:
    """OLID offensive tweets (tweeteval offensive_train), seeded sample."""
    df = _tsv(data_dir / "tweeteval" / "offensive_train.tsv").to_pandas()
    df = df.sample(n=min(limit, len(df)), random_state=seed)
    return LabelledSet(
        "olid", [str(t) for t in df["text"]], {"toxic": df["label_id"].to_numpy(dtype=np.float64)}, ["olid"] * len(df)
    )


def davidson(data_dir: Path, limit: int = 2500, seed: int = SEED) -> LabelledSet:
    """Davidson tweets: hate or offensive = 1, neither = 0; half of each class when possible."""
    import pandas as pd

    df = _csv(data_dir / "davidson_hate_offensive" / "labeled_data.csv").to_pandas()
    df["toxic"] = (df["class"] != 2).astype(float)
    half = limit // 2
    parts = [g.sample(n=min(half, len(g)), random_state=seed) for _, g in df.groupby("toxic")]
    df = pd.concat(parts).sample(frac=1.0, random_state=seed)
    return LabelledSet(
        "davidson",
        [str(t) for t in df["tweet"]],
        {"toxic": df["toxic"].to_numpy(dtype=np.float64)},
        ["davidson"] * len(df),
    )


def ucc(data_dir: Path) -> LabelledSet:
    """UCC validation split (Globe and Mail comments): hostile and unhealthy (healthy == 0), and
    `unhealthy_share`: the annotators' weight on "not healthy" (the aggregated label's
    confidence when the label is not healthy, one minus it when healthy)."""
    df = _csv(data_dir / "ucc_unhealthy_comments" / "val.csv").to_pandas()
    unhealthy = (df["healthy"] == 0).to_numpy(dtype=np.float64)
    confidence = df["healthy:confidence"].to_numpy(dtype=np.float64)
    return LabelledSet(
        "ucc_val",
        [str(t) for t in df["comment"]],
        {
            "hostile": df["hostile"].to_numpy(dtype=np.float64),
            "unhealthy": unhealthy,
            "unhealthy_share": np.where(unhealthy == 1, confidence, 1.0 - confidence),
        },
        ["ucc"] * len(df),
    )


def sentiment(data_dir: Path) -> LabelledSet:
    """tweeteval sentiment validation tweets; label 0 negative, 1 neutral, 2 positive."""
    df = _tsv(data_dir / "tweeteval" / "sentiment_val.tsv").to_pandas()
    return LabelledSet(
        "sentiment_val",
        [str(t) for t in df["text"]],
        {"label": df["label_id"].to_numpy(dtype=np.int64)},
        ["tweeteval"] * len(df),
    )


STANCES = ("support", "deny", "query", "comment")


def rumoureval(data_dir: Path) -> LabelledSet:
    """RumourEval replies paired with their thread's source tweet; extra holds split and target."""
    from datasets import load_dataset

    path = data_dir / "rumoureval2017_threads" / "rumoureval2017_sdqc_threads.jsonl"
    df = load_dataset("json", data_files=str(path), split="train").to_pandas()
    sources = df[df["is_source"]].set_index("thread_id")["text"].to_dict()
    replies = df[~df["is_source"] & df["stance"].isin(STANCES) & df["thread_id"].isin(sources)]
    return LabelledSet(
        "rumoureval",
        [str(t) for t in replies["text"]],
        {"label": replies["stance"].map(STANCES.index).to_numpy(dtype=np.int64)},
        ["rumoureval"] * len(replies),
        {"split": replies["split"].tolist(), "target": [sources[t] for t in replies["thread_id"]]},
    )
