"""The linear heads `finetune.py` trains on the pooled encoder output, their losses, and the same
heads trained on a frozen encoder (the baseline).

Standalone like `finetune.py` (torch, numpy, pandas; nothing from `moderation`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from finetune_eval import BINARY

SEED = 13


class Heads(torch.nn.Module):
    def __init__(self, dim: int, unhealthy: bool = False) -> None:
        super().__init__()
        self.binary = torch.nn.Linear(dim, len(BINARY))
        self.sentiment = torch.nn.Linear(dim, 3)
        self.stance = torch.nn.Linear(3 * dim, 4)
        self.unhealthy = torch.nn.Linear(dim, 1) if unhealthy else None

    def stance_logits(self, reply: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.stance(torch.cat([reply, reply * target, (reply - target).abs()], dim=1))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        wb, bb = self.binary.weight.detach().float().cpu().numpy(), self.binary.bias.detach().float().cpu().numpy()
        for i, key in enumerate(BINARY):
            out[f"{prefix}{key}_coef"], out[f"{prefix}{key}_intercept"] = wb[i : i + 1], bb[i : i + 1]
        for key in ("sentiment", "stance", "unhealthy"):
            layer = getattr(self, key)
            if layer is None:
                continue
            out[f"{prefix}{key}_coef"] = layer.weight.detach().float().cpu().numpy()
            out[f"{prefix}{key}_intercept"] = layer.bias.detach().float().cpu().numpy()
        return out


def task_losses(heads: Heads, tox_x, tox_df, sent_x, sent_df, st_x, st_t, st_df, pos_weight, device) -> dict:
    y = torch.tensor(tox_df[list(BINARY)].to_numpy(np.float32), device=device)
    known = ~torch.isnan(y)
    logits = heads.binary(tox_x)
    bce = F.binary_cross_entropy_with_logits(logits, torch.nan_to_num(y), pos_weight=pos_weight, reduction="none")
    per_col = (bce * known).sum(0) / known.sum(0).clamp(min=1)
    tox = per_col[0] + per_col[1:].mean()
    sent = F.cross_entropy(heads.sentiment(sent_x), torch.tensor(sent_df["sentiment"].to_numpy(), device=device))
    stance = F.cross_entropy(heads.stance_logits(st_x, st_t), torch.tensor(st_df["stance"].to_numpy(), device=device))
    return {"tox": tox, "sent": sent, "stance": stance}


def train_frozen_heads(x, t, train: pd.DataFrame, tasks: dict, pos_weight, device, epochs: int) -> Heads:
    """The same heads and losses on frozen embeddings (full-batch Adam, sampling probs as weights)."""
    torch.manual_seed(SEED)
    heads = Heads(x.shape[1]).to(device)
    opt = torch.optim.Adam(heads.parameters(), lr=1e-2)
    idx = {k: torch.tensor(task.rows["_row"].to_numpy(), device=device) for k, task in tasks.items()}
    w = {k: torch.tensor(task.p, device=device, dtype=torch.float32) for k, task in tasks.items()}
    yb = torch.tensor(tasks["tox"].rows[list(BINARY)].to_numpy(np.float32), device=device)
    ys = torch.tensor(tasks["sent"].rows["sentiment"].to_numpy(), device=device)
    yst = torch.tensor(tasks["stance"].rows["stance"].to_numpy(), device=device)
    for _ in range(epochs):
        opt.zero_grad()
        known = ~torch.isnan(yb)
        bce = F.binary_cross_entropy_with_logits(
            heads.binary(x[idx["tox"]]), torch.nan_to_num(yb), pos_weight=pos_weight, reduction="none"
        )
        per_col = ((bce * known) * w["tox"][:, None]).sum(0) / ((known * w["tox"][:, None]).sum(0)).clamp(min=1e-12)
        loss = per_col[0] + per_col[1:].mean()
        loss = loss + (F.cross_entropy(heads.sentiment(x[idx["sent"]]), ys, reduction="none") * w["sent"]).sum()
        st = heads.stance_logits(x[idx["stance"]], t[idx["stance"]])
        loss = loss + (F.cross_entropy(st, yst, reduction="none") * w["stance"]).sum()
        loss = loss + 1e-4 * sum((p**2).sum() for n, p in heads.named_parameters() if "weight" in n)
        loss.backward()
        opt.step()
    return heads
