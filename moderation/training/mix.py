"""The multi-task training mix and every held-out set, as one compact table for `finetune.py`.

`python -m moderation.training mix OUT.parquet` writes one row per (text, target) with columns:
text, target ("" when none), source, split ("train" or the held-out set's name), the five
toxicity labels (toxicity, insult, identity_attack, threat, severe_toxicity; NaN = unlabelled),
sentiment and stance (class index, -1 = unlabelled), hostile / unhealthy (UCC held-out only).

Training rows never include UCC (CC BY-NC-SA, and reserved: its seeded "train" half is the
queue's development set, its other half is where queue figures are reported), nor any row of a
held-out split. Toxicity and attribute rows that name an identity get one counterfactual copy
with the identity term swapped (labels kept), to reduce identity-term bias.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from moderation.training import data, sets
from moderation.training.fit import SEED

ATTRIBUTES = ("toxicity", "insult", "identity_attack", "threat", "severe_toxicity")

# Identity terms swapped within their group (lower case, whole words).
IDENTITY_GROUPS: tuple[tuple[str, ...], ...] = (
    ("muslim", "jewish", "christian", "hindu", "buddhist", "catholic", "atheist", "sikh"),
    ("muslims", "jews", "christians", "hindus", "buddhists", "catholics", "atheists", "sikhs"),
    ("gay", "lesbian", "queer", "bisexual", "straight", "trans", "transgender"),
    ("black", "white", "asian", "latino", "hispanic", "arab", "african", "indian", "mexican"),
    ("blacks", "whites", "asians", "latinos", "hispanics", "arabs", "africans", "mexicans"),
    ("woman", "man", "girl", "boy"),
    ("women", "men", "girls", "boys"),
    ("immigrant", "refugee", "native", "citizen"),
    ("immigrants", "refugees", "natives", "citizens"),
)
_GROUP_OF = {term: group for group in IDENTITY_GROUPS for term in group}
_IDENTITY = re.compile(r"\b(" + "|".join(sorted(_GROUP_OF, key=len, reverse=True)) + r")\b", re.IGNORECASE)

# Held-out sets written beside the training rows (name -> loader); none of them is trained on.
CIVIL_ATTRIBUTES = {  # Civil Comments span-type share -> attribute label (see data.civil_comments)
    "insult": ("insult", 0.5),
    "identity_attack": ("identity_attack", 1 / 3),
    "threat": ("threat", 1 / 3),
    "severe_toxicity": ("severe", 0.5),
}


def swap_identity(text: str, rng: np.random.Generator) -> str | None:
    """`text` with every identity term replaced by another of its group (case kept), or None."""
    if not _IDENTITY.search(text):
        return None

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        group = _GROUP_OF[word.lower()]
        other = str(rng.choice([t for t in group if t != word.lower()]))
        if word.isupper():
            return other.upper()
        return other.capitalize() if word[0].isupper() else other

    return _IDENTITY.sub(repl, text)


def _rows(s: data.LabelledSet, split: str) -> list[dict[str, object]]:
    n = len(s.texts)
    nan = np.full(n, np.nan)
    none = np.full(n, -1, dtype=np.int64)
    cols: dict[str, np.ndarray] = {a: np.asarray(s.labels.get(a, nan), dtype=np.float64) for a in ATTRIBUTES}
    cols["sentiment"] = np.asarray(s.labels.get("sentiment", none), dtype=np.int64)
    cols["stance"] = np.asarray(s.labels.get("stance", none), dtype=np.int64)
    for extra in ("hostile", "unhealthy"):
        cols[extra] = np.asarray(s.labels.get(extra, nan), dtype=np.float64)
    targets = s.extra.get("target") or [""] * n
    out = []
    for i in range(n):
        row: dict[str, object] = {"text": s.texts[i], "target": str(targets[i]), "source": s.name, "split": split}
        row["augmented"] = False
        row.update({k: v[i].item() for k, v in cols.items()})
        out.append(row)
    return out


def civil(data_dir: Path) -> data.LabelledSet:
    """All Civil Comments toxic-spans comments with majority toxicity and the span-type attributes."""
    c = data.civil_comments(data_dir, limit=10**6)
    labels = {"toxicity": c.labels["toxic"]}
    for attr, (col, thr) in CIVIL_ATTRIBUTES.items():
        labels[attr] = (c.labels[col] >= thr).astype(np.float64)
    return data.LabelledSet("civil_comments", c.texts, labels, c.source)


def davidson(data_dir: Path) -> data.LabelledSet:
    d = data.davidson(data_dir, limit=10**6)
    return data.LabelledSet("davidson", d.texts, {"toxicity": d.labels["toxic"]}, d.source)


def training_sets(data_dir: Path) -> list[data.LabelledSet]:
    return [
        civil(data_dir),
        sets.tweeteval_binary(data_dir, "offensive", "train"),
        davidson(data_dir),
        sets.hatexplain(data_dir, "train"),
        sets.tweeteval_binary(data_dir, "hate", "train"),
        sets.tweeteval_sentiment(data_dir, "train"),
        sets.goemotions(data_dir, "train"),
        sets.vast(data_dir, "train"),
        sets.rumoureval(data_dir, "train"),
    ]


def heldout_sets(data_dir: Path) -> list[data.LabelledSet]:
    from moderation.training.toxicity import split_ucc

    ucc = data.ucc(data_dir)
    _, hold = split_ucc(ucc, 0.5)  # the seeded split the queue uses; only the held-out half here
    ucc_hold = data.LabelledSet(
        "ucc_holdout",
        [ucc.texts[i] for i in hold],
        {k: ucc.labels[k][hold] for k in ("hostile", "unhealthy")},
        ["ucc"] * len(hold),
    )
    return [
        ucc_hold,
        sets.tweeteval_sentiment(data_dir, "val"),
        sets.goemotions(data_dir, "test"),
        sets.rumoureval(data_dir, "dev"),
        sets.vast(data_dir, "dev"),
        sets.vast(data_dir, "test"),
        sets.hatexplain(data_dir, "test"),
        sets.tweeteval_binary(data_dir, "hate", "val"),
        sets.tweeteval_binary(data_dir, "offensive", "val"),
    ]


def selection_sets(data_dir: Path) -> list[data.LabelledSet]:
    """Sets a fine-tune run is judged on before it is shipped: neither trained on nor reported
    in the cards (HateXplain val also fits the toxicity stacker; VAST dev picks the stance C)."""
    return [sets.hatexplain(data_dir, "val"), sets.goemotions(data_dir, "dev"), sets.vast(data_dir, "dev")]


def build(data_dir: Path, out: Path) -> dict[str, int]:
    """Write the table; returns rows per (split, source)."""
    import pandas as pd

    rng = np.random.default_rng(SEED)
    rows: list[dict[str, object]] = []
    for s in training_sets(data_dir):
        rows += _rows(s, "train")
        if not any(a in s.labels for a in ATTRIBUTES):
            continue
        swapped = [(i, t) for i, text in enumerate(s.texts) if (t := swap_identity(text, rng)) is not None]
        if swapped:
            keep = [i for i, _ in swapped]
            aug = data.LabelledSet(
                s.name + "+swap",
                [t for _, t in swapped],
                {k: np.asarray(v)[keep] for k, v in s.labels.items()},
                [s.name] * len(keep),
            )
            rows += [dict(r, source=s.name, augmented=True) for r in _rows(aug, "train")]
    held = heldout_sets(data_dir)
    for s in held + [s for s in selection_sets(data_dir) if s.name not in {h.name for h in held}]:
        rows += _rows(s, s.name)
    df = pd.DataFrame(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(out, compression="zstd", index=False)
    return {f"{sp}/{so}": int(n) for (sp, so), n in df.groupby(["split", "source"]).size().items()}


def bundle(data_dir: Path, out: Path, previous: list[Path]) -> list[Path]:
    """Everything `finetune.py` needs on a machine without this package: the table, UCC's
    comments with their folds and chunks (`ucc.parquet`, for `--ucc`), the base encoder as fp16
    safetensors with its tokenizer files, the scripts, previous heads."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from moderation.scoring.encoder import minilm_path

    build(data_dir, out / "mix.parquet")
    base = minilm_path()
    enc = out / "encoder"
    enc.mkdir(parents=True, exist_ok=True)
    weights = {k: v.to(torch.float16).contiguous() for k, v in load_file(str(base / "model.safetensors")).items()}
    save_file(weights, str(enc / "model.safetensors"), metadata={"format": "pt"})
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy2(base / name, enc / name)
    from moderation.scoring.encoder import SentenceEncoder
    from moderation.training.ucc_folds import table

    table(data_dir, SentenceEncoder(base, max_tokens=128)).to_parquet(out / "ucc.parquet", compression="zstd")
    for script in ("finetune.py", "finetune_eval.py", "finetune_heads.py", "finetune_ucc.py"):
        shutil.copy2(Path(__file__).with_name(script), out / script)
    for i, path in enumerate(previous):
        shutil.copy2(path, out / f"previous{i}.npz")
    return sorted(p for p in out.rglob("*") if p.is_file())


def export_heldout(data_dir: Path, out_dir: Path) -> list[Path]:
    """Every held-out set as `<name>.csv` for `moderate eval`: text, target, and its label
    columns (toxicity attributes as 0/1, sentiment and stance as class names)."""
    import pandas as pd

    from moderation.schema import SCORE_GROUPS

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in heldout_sets(data_dir):
        df = pd.DataFrame({"text": s.texts, "target": s.extra.get("target") or [""] * len(s.texts)})
        for key, values in s.labels.items():
            if key in SCORE_GROUPS:
                df[key] = [SCORE_GROUPS[key][int(v)] for v in values]
            else:
                df[key] = np.asarray(values).astype(int)
        path = out_dir / f"{s.name}.csv"
        df.to_csv(path, index=False)
        paths.append(path)
    return paths
