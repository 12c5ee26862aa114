"""Multi-task fine-tune of the shared MiniLM encoder, with a frozen-encoder baseline on the same data.

Standalone on purpose: it runs on a GPU machine that has torch, transformers, numpy, pandas and
safetensors but not this package, so it imports nothing from `moderation` (run it as a file:
`python3 finetune.py --mix mix.parquet --encoder DIR --out DIR`). The table comes from
`python -m moderation.training mix` (see moderation/training/mix.py for its columns).

One encoder pass (mean pooled, unit length, as `moderation.scoring.encoder` computes it) feeds
linear heads: toxicity + 4 attributes (sigmoid; rows without a label are masked; a clean text of
any toxicity source is a negative for every attribute its source does not label), sentiment
(3-way softmax) and stance (4-way softmax over [reply, reply*target, |reply-target|]; the target
is encoded by the same encoder). Each step draws one batch per task, sources equally likely and
classes balanced within each source (fixed seed). The step count is set from the measured speed
of the first steps so that training fits `--seconds`.

`--ucc ucc.parquet` (`python -m moderation.training bundle` writes it) adds a task: a linear head
learns UCC's soft "not healthy" target on development comments (finetune_ucc.py). Then one run per
development fold comes first, that fold held back, and each fold encoder's vectors of every UCC
comment are kept (`ucc_vectors.npz`, with the starting and the final encoder's), so that
`benchmarks/eval_ucc_finetune.py` can score development comments out of fold. Every run takes the
first run's step count.

Outputs in --out: encoder.safetensors (fp16, BertModel keys) split into parts of < 15 MiB
(encoder.safetensors.part0..), heads.npz (`ft__<key>_coef/_intercept` and `frozen__...` in the
head.npz layout of moderation.scoring.heads), metrics.json (every held-out split, fine-tuned vs
frozen vs previous heads where given), log lines on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))  # finetune_eval.py travels beside this file
from finetune_eval import BINARY, evaluate, score_arrays
from finetune_heads import Heads, task_losses, train_frozen_heads
from finetune_ucc import UccTask, embed_table, pooled
from finetune_ucc import loss as ucc_loss

SEED = 13
SENTIMENTS = ("negative", "neutral", "positive")
PART_BYTES = 15 * 1024 * 1024


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- data and sampling


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Attribute negatives: a clean text (toxicity 0) is 0 for every attribute left unlabelled."""
    df = df.copy()
    clean = df["toxicity"] == 0
    for a in BINARY[1:]:
        df.loc[clean & df[a].isna(), a] = 0.0
    return df


def balanced_probs(sources: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Sampling probabilities: every source the same mass, every class within a source too (the rule
    of moderation.training.fit.balanced_weights, restated: this script runs without the package)."""
    w = np.zeros(len(labels))
    names = np.unique(sources)
    for s in names:
        in_s = sources == s
        classes = np.unique(labels[in_s])
        for c in classes:
            m = in_s & (labels == c)
            w[m] = 1.0 / (len(names) * len(classes) * m.sum())
    return w / w.sum()


class Task:
    def __init__(self, name: str, rows: pd.DataFrame, label: np.ndarray, rng: np.random.Generator) -> None:
        self.name, self.rows, self.rng = name, rows.reset_index(drop=True), rng
        self.p = balanced_probs(self.rows["source"].to_numpy(), label)

    def batch(self, size: int) -> pd.DataFrame:
        return self.rows.iloc[self.rng.choice(len(self.rows), size=size, p=self.p)]


# ---------------------------------------------------------------- model


def embed_counts(
    model, tokenizer, texts: list[str], max_len: int, device: str, amp: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """(unit mean-pooled vectors, token counts); `amp`: bf16 autocast on a GPU."""
    enc = tokenizer(texts, padding=True, truncation=True, max_length=max_len, return_tensors="pt").to(device)
    with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=amp and device == "cuda"):
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    counts = mask.sum(1).clamp(min=1.0)
    mean = (hidden * mask).sum(1) / counts
    return F.normalize(mean.float(), p=2, dim=1), counts.float().reshape(-1)


def embed(model, tokenizer, texts: list[str], max_len: int, device: str) -> torch.Tensor:
    return embed_counts(model, tokenizer, texts, max_len, device)[0]


@torch.no_grad()
def embed_all(model, tokenizer, texts: list[str], max_len: int, device: str, batch: int = 256) -> torch.Tensor:
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = torch.zeros(len(texts), model.config.hidden_size, device=device)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        out[idx] = embed(model, tokenizer, [texts[i] for i in idx], max_len, device)
    return out


# ---------------------------------------------------------------- main


def schedule(done: int, total: int) -> float:
    """Learning-rate scale: linear warm-up over 6% of the steps (at least 100), then linear decay;
    while the step count is still being measured (total unknown), warm-up only."""
    if total < 10**9:
        return min(1.0, (done + 1) / max(100, int(0.06 * total))) * max(0.0, 1 - done / max(total, 1))
    return (done + 1) / 100


def fine_tune(model, tokenizer, tasks: dict, ucc: UccTask | None, pos_weight, args, device: str) -> tuple[Heads, int]:
    """Train `model` in place with fresh heads; returns the heads and the steps taken."""
    model.train()
    heads = Heads(model.config.hidden_size, unhealthy=ucc is not None).to(device)
    opt = torch.optim.AdamW(
        [{"params": model.parameters(), "lr": args.lr}, {"params": heads.parameters(), "lr": args.head_lr}],
        weight_decay=0.01,
    )
    base_lrs = [g["lr"] for g in opt.param_groups]

    def step() -> dict:
        tb, sb, stb = (
            tasks["tox"].batch(args.batch),
            tasks["sent"].batch(args.batch),
            tasks["stance"].batch(args.stance_batch),
        )
        tx = embed(model, tokenizer, tb["text"].tolist() + sb["text"].tolist(), args.max_len, device)
        rx = embed(model, tokenizer, stb["text"].tolist(), args.max_len, device)
        tt = embed(model, tokenizer, stb["target"].tolist(), args.target_len, device)
        losses = task_losses(heads, tx[: len(tb)], tb, tx[len(tb) :], sb, rx, tt, stb, pos_weight, device)
        if ucc is not None:
            ub = ucc.batch(args.ucc_batch)
            chunks = [list(c) for c in ub["chunks"]]
            ux = pooled(lambda t: embed_counts(model, tokenizer, t, args.max_len, device), chunks)
            losses["ucc"] = ucc_loss(heads.unhealthy(ux), ub)
        opt.zero_grad()
        sum(losses.values()).backward()
        torch.nn.utils.clip_grad_norm_(list(model.parameters()) + list(heads.parameters()), 1.0)
        opt.step()
        return {k: float(v.detach()) for k, v in losses.items()}

    total = args.steps or 10**9
    warm = 25
    t1 = time.time()
    done = 0
    avg: dict[str, float] = {}
    while done < total:
        if done == 5:
            t5 = time.time()
        if done == warm and not args.steps:
            per = (time.time() - t5) / (warm - 5)
            total = max(warm + 1, int((args.seconds - (time.time() - t1)) / per) + warm)
            log(f"{per * 1000:.0f} ms/step -> {total} steps ({total * args.batch} rows per task)")
        for g, lr in zip(opt.param_groups, base_lrs, strict=True):
            g["lr"] = lr * schedule(done, total)
        losses = step()
        avg = {k: 0.98 * avg.get(k, v) + 0.02 * v for k, v in losses.items()}
        done += 1
        if done % 200 == 0 or done == total:
            log(f"step {done}/{total} " + " ".join(f"{k}={v:.3f}" for k, v in avg.items()))
    log(f"fine-tuned {done} steps in {time.time() - t1:.0f}s")
    model.eval()
    return heads, done


def ucc_vectors(model, tokenizer, table: pd.DataFrame, args, device: str) -> np.ndarray:
    """Every UCC row's pooled vector as the CPU scorer computes it (fp32, no autocast)."""
    model.eval()
    with torch.no_grad():
        return embed_table(lambda t: embed_counts(model, tokenizer, t, args.max_len, device, amp=False), table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mix", type=Path, required=True)
    ap.add_argument("--encoder", type=Path, required=True, help="base model folder (config, tokenizer, weights)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--previous", type=Path, nargs="*", default=[], help="previous head.npz files to evaluate too")
    ap.add_argument("--seconds", type=float, default=200.0, help="training time budget")
    ap.add_argument("--steps", type=int, default=0, help="fixed step count (overrides --seconds)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--stance-batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--target-len", type=int, default=48)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--frozen-epochs", type=int, default=300, help="0: no frozen-encoder baseline")
    ap.add_argument("--ucc", type=Path, default=None, help="ucc.parquet: add the UCC task (finetune_ucc.py)")
    ap.add_argument("--ucc-batch", type=int, default=16)
    ap.add_argument("--limit", type=int, default=0, help="rows per source and split (smoke tests)")
    args = ap.parse_args()
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    log(f"device {device} {torch.cuda.get_device_name() if device == 'cuda' else ''} torch {torch.__version__}")
    df = prepare(pd.read_parquet(args.mix))
    if args.limit:
        df = df.groupby(["split", "source"]).head(args.limit)
    df = df.reset_index(drop=True)
    df["_row"] = np.arange(len(df))
    train = df[df["split"] == "train"]
    assert not train["source"].str.contains("ucc").any(), "UCC rows of the table are held out, never trained on"
    tox_rows = train[train["toxicity"].notna()]
    tasks = {
        "tox": Task("tox", tox_rows, tox_rows["toxicity"].to_numpy(), rng),
        "sent": Task(
            "sent", train[train["sentiment"] >= 0], train.loc[train["sentiment"] >= 0, "sentiment"].to_numpy(), rng
        ),
        "stance": Task(
            "stance", train[train["stance"] >= 0], train.loc[train["stance"] >= 0, "stance"].to_numpy(), rng
        ),
    }
    for k, task in tasks.items():
        log(f"task {k}: {len(task.rows)} rows, sources {task.rows['source'].value_counts().to_dict()}")
    labelled = tox_rows[list(BINARY)]
    pos = (labelled == 1).sum().to_numpy()
    neg = (labelled == 0).sum().to_numpy()
    pos_weight = torch.tensor(np.sqrt(neg / np.maximum(pos, 1)).clip(1, 10), dtype=torch.float32, device=device)
    pos_weight[0] = 1.0  # toxicity classes are balanced by sampling already
    log(f"attribute positives {dict(zip(BINARY, pos.tolist(), strict=True))} pos_weight {pos_weight.tolist()}")
    ucc_table = pd.read_parquet(args.ucc) if args.ucc else None
    if ucc_table is not None and args.limit:
        ucc_table = ucc_table.groupby(["part", "fold"]).head(args.limit).reset_index(drop=True)

    tokenizer = AutoTokenizer.from_pretrained(str(args.encoder))
    base = AutoModel.from_pretrained(str(args.encoder), dtype=torch.float32).to(device)
    held = df[df["split"] != "train"]
    # the starting encoder's embeddings: every row for the frozen baseline, else the held-out rows
    # (what the previous heads are evaluated on)
    t0 = time.time()
    rows0 = df if args.frozen_epochs else held
    x0 = torch.zeros(len(df), base.config.hidden_size, device=device)
    t_emb = torch.zeros_like(x0)
    x0[torch.tensor(rows0["_row"].to_numpy(), device=device)] = embed_all(
        base, tokenizer, rows0["text"].tolist(), args.max_len, device
    )
    targets = df["target"].tolist()
    has_t = (df["target"] != "") & df["_row"].isin(rows0["_row"])
    uniq = sorted(set(df.loc[has_t, "target"]))
    if uniq:
        ut = embed_all(base, tokenizer, uniq, args.target_len, device)
        where = {u: i for i, u in enumerate(uniq)}
        t_rows = np.flatnonzero(has_t.to_numpy())
        picks = torch.tensor([where[targets[i]] for i in t_rows], device=device)
        t_emb[torch.tensor(t_rows, device=device)] = ut[picks]
    log(f"starting encoder's embeddings of {len(rows0)} texts + {len(uniq)} targets in {time.time() - t0:.0f}s")
    arrays: dict[str, np.ndarray] = {}
    if args.frozen_epochs:
        frozen = train_frozen_heads(x0, t_emb, train, tasks, pos_weight, device, args.frozen_epochs)
        arrays.update(frozen.arrays("frozen__"))
        log(f"frozen heads trained at {time.time() - t0:.0f}s")
    x0_np, t0_np = x0.cpu().numpy(), t_emb.cpu().numpy()
    for path in args.previous:
        with np.load(path) as prev:
            arrays.update({f"previous__{k}": prev[k] for k in prev.files if k.endswith(("_coef", "_intercept"))})
    del x0, t_emb
    ucc_out: dict[str, np.ndarray] = {}
    if ucc_table is not None:
        ucc_out["start"] = ucc_vectors(base, tokenizer, ucc_table, args, device)
        # one run per development fold, that fold held back: its rows' vectors are out of fold
        for fold in sorted(f for f in ucc_table["fold"].unique() if f >= 0):
            torch.manual_seed(SEED + 1 + int(fold))
            model = AutoModel.from_pretrained(str(args.encoder), dtype=torch.float32).to(device)
            task = UccTask(ucc_table, int(fold), np.random.default_rng(SEED + 1 + int(fold)))
            log(f"fold {fold}: UCC task on {len(task.rows)} development comments")
            fold_heads, steps = fine_tune(model, tokenizer, tasks, task, pos_weight, args, device)
            args.steps = args.steps or steps  # every later run takes the first run's step count
            arrays.update({k: v for k, v in fold_heads.arrays(f"fold{fold}__").items() if "unhealthy" in k})
            ucc_out[f"fold{fold}"] = ucc_vectors(model, tokenizer, ucc_table, args, device)
            del model
        torch.manual_seed(SEED)

    # The run that ships: every development comment of UCC (when given) and the whole mix.
    ucc_task = UccTask(ucc_table, None, np.random.default_rng(SEED)) if ucc_table is not None else None
    heads, done = fine_tune(base, tokenizer, tasks, ucc_task, pos_weight, args, device)
    model = base
    arrays.update(heads.arrays("ft__"))
    if ucc_table is not None:
        ucc_out["full"] = ucc_vectors(model, tokenizer, ucc_table, args, device)

    # Evaluate every held-out split: fine-tuned, frozen, previous.
    hx = embed_all(model, tokenizer, held["text"].tolist(), args.max_len, device).cpu().numpy()
    ht_uniq = sorted(set(held.loc[held["target"] != "", "target"]))
    ht_emb = embed_all(model, tokenizer, ht_uniq, args.target_len, device).cpu().numpy() if ht_uniq else None
    metrics: dict[str, dict] = {}
    for name, part in held.groupby("split"):
        rows = part["_row"].to_numpy()
        loc = held.index.get_indexer(part.index)
        t_ft = None
        if (part["target"] != "").all() and ht_emb is not None:
            pos_t = {u: i for i, u in enumerate(ht_uniq)}
            t_ft = ht_emb[[pos_t[v] for v in part["target"]]]
        t_fr = t0_np[rows] if (part["target"] != "").all() else None
        metrics[name] = {"fine_tuned": evaluate(name, part, score_arrays(arrays, "ft__", hx[loc], t_ft))}
        if args.frozen_epochs:
            metrics[name]["frozen"] = evaluate(name, part, score_arrays(arrays, "frozen__", x0_np[rows], t_fr))
        if args.previous:
            # previous heads read the --encoder's own embeddings (the run's starting point)
            metrics[name]["previous"] = evaluate(name, part, score_arrays(arrays, "previous__", x0_np[rows], t_fr))
        log(f"{name}: " + json.dumps(metrics[name]))

    args.out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().half().contiguous().cpu() for k, v in model.state_dict().items()}
    whole = args.out / "encoder.safetensors"
    save_file(state, str(whole), metadata={"format": "pt"})
    blob = whole.read_bytes()
    whole.unlink()
    for i in range(math.ceil(len(blob) / PART_BYTES)):
        (args.out / f"encoder.safetensors.part{i}").write_bytes(blob[i * PART_BYTES : (i + 1) * PART_BYTES])
    payload: dict[str, Any] = dict(arrays)
    np.savez_compressed(args.out / "heads.npz", **payload)
    if ucc_table is not None:
        saved: dict[str, Any] = {k: v.astype(np.float16) for k, v in ucc_out.items()}
        saved.update({k: ucc_table[k].to_numpy() for k in ("index", "fold")})
        saved["part"] = ucc_table["part"].to_numpy().astype(str)
        np.savez_compressed(args.out / "ucc_vectors.npz", **saved)
    info = {
        "steps": done,
        "batch_per_task": args.batch,
        "stance_batch": args.stance_batch,
        "ucc_batch": args.ucc_batch if ucc_table is not None else 0,
        "max_len": args.max_len,
        "target_len": args.target_len,
        "lr": args.lr,
        "head_lr": args.head_lr,
        "seconds": args.seconds,
        "pos_weight": pos_weight.tolist(),
        "train_rows": {k: len(t.rows) for k, t in tasks.items()}
        | ({"ucc_dev": len(ucc_task.rows)} if ucc_task is not None else {}),
        "train_sources": train["source"].value_counts().to_dict(),
        "encoder_bytes": len(blob),
    }
    (args.out / "metrics.json").write_text(json.dumps({"train": info, "heldout": metrics}, indent=1))
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
