"""The second-generation labelled sets (see ../shared/data/README.md), read with pandas.

Every loader returns a `data.LabelledSet` for one split. Label conventions:
- toxicity attributes are floats in {0, 1} and NaN where the source says nothing;
- `sentiment` indexes ("negative", "neutral", "positive"), -1 where absent;
- `stance` indexes `data.STANCES` (support / deny / query / comment), -1 where absent. VAST's
  pro / con / neutral map to support / deny / comment; `extra["target"]` holds the target text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moderation.training import data

SENTIMENTS = ("negative", "neutral", "positive")
VAST_TO_STANCE = {1: "support", 0: "deny", 2: "comment"}  # VAST label ids: 0 con, 1 pro, 2 neutral


def _set(name: str, texts: list[str], labels: dict[str, np.ndarray], **extra: object) -> data.LabelledSet:
    return data.LabelledSet(name, [str(t) for t in texts], labels, [name] * len(texts), dict(extra))


def tweeteval_sentiment(data_dir: Path, split: str) -> data.LabelledSet:
    """TweetEval sentiment, split train (47.5k rebuilt) or val (2,000)."""
    import pandas as pd

    df = pd.read_csv(data_dir / "tweeteval" / f"sentiment_{split}.tsv", sep="\t", keep_default_na=False)
    return _set(f"tweeteval_sentiment_{split}", df["text"].tolist(), {"sentiment": df["label_id"].to_numpy(np.int64)})


def tweeteval_binary(data_dir: Path, task: str, split: str) -> data.LabelledSet:
    """TweetEval `hate` or `offensive` (OLID), split train or val: label 1 = hate / offensive."""
    import pandas as pd

    df = pd.read_csv(data_dir / "tweeteval" / f"{task}_{split}.tsv", sep="\t", keep_default_na=False)
    y = df["label_id"].to_numpy(np.float64)
    labels = {"toxicity": y}
    if task == "hate":  # HatEval: hate against immigrants or women, an attack on an identity
        labels["identity_attack"] = y
    return _set(f"tweeteval_{task}_{split}", df["text"].tolist(), labels)


def goemotions(data_dir: Path, split: str) -> data.LabelledSet:
    """GoEmotions rows with exactly one sentiment group other than ambiguous (split train/dev/test)."""
    import pandas as pd

    df = pd.read_csv(data_dir / "goemotions" / f"{split}.tsv.gz", sep="\t", keep_default_na=False)
    df = df[df["sentiment"].isin(SENTIMENTS)]
    y = df["sentiment"].map(SENTIMENTS.index).to_numpy(np.int64)
    return _set(f"goemotions_{split}", df["text"].tolist(), {"sentiment": y})


def hatexplain(data_dir: Path, split: str) -> data.LabelledSet:
    """HateXplain majority labels: toxicity = offensive or hatespeech; identity_attack =
    hatespeech aimed at a named community (every hatespeech post names one), 0 for the rest."""
    import pandas as pd

    df = pd.read_csv(data_dir / "hatexplain" / "posts_all.csv.gz", keep_default_na=False)
    df = df[df["split"] == split]
    toxic = df["label"].isin(["offensive", "hatespeech"]).to_numpy(np.float64)
    targeted = df["targets"].str.split(";").map(lambda t: any(x and x != "None" for x in t))
    identity = ((df["label"] == "hatespeech") & targeted).to_numpy(np.float64)
    return _set(f"hatexplain_{split}", df["text"].tolist(), {"toxicity": toxic, "identity_attack": identity})


def vast(data_dir: Path, split: str) -> data.LabelledSet:
    """VAST comment vs topic (topic_str, the only topic column every split keeps)."""
    import pandas as pd

    df = pd.read_csv(data_dir / "vast_stance" / f"vast_{split}.csv.gz", keep_default_na=False)
    y = df["label"].astype(int).map(lambda v: data.STANCES.index(VAST_TO_STANCE[v])).to_numpy(np.int64)
    return _set(
        f"vast_{split}",
        df["post"].tolist(),
        {"stance": y},
        target=[str(t) for t in df["topic_str"]],
        seen=df["seen?"].astype(int).tolist(),
    )


def rumoureval(data_dir: Path, split: str) -> data.LabelledSet:
    """RumourEval replies of one split (train/dev) with their source tweet as target."""
    s = data.rumoureval(data_dir)
    keep = [i for i, sp in enumerate(s.extra["split"]) if sp == split]
    return _set(
        f"rumoureval_{split}",
        [s.texts[i] for i in keep],
        {"stance": s.labels["label"][keep]},
        target=[s.extra["target"][i] for i in keep],
    )
