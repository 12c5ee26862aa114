"""The model card of a fitted severity layer (development figures only; held-out ones are in docs/flags.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from moderation.training.severity import SeverityFit

TABLE_SHARES = (0.01, 0.02, 0.03, 0.05, 0.08, 0.10, 0.15, 0.20)


def curve_rows(prob: np.ndarray, unhealthy: np.ndarray, hostile: np.ndarray, thresholds: list[float]) -> list[str]:
    rows = ["| min severity | share flagged | precision (not healthy) | recall hostile | recall not healthy |",
            "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for t in thresholds:
        f = prob >= t
        prec = f"{unhealthy[f].mean():.3f}" if f.any() else "-"
        rows.append(f"| {t:.4f} | {f.mean():.3f} | {prec} | {f[hostile].mean():.3f} | {f[unhealthy == 1].mean():.3f} |")
    return rows


def card(result: SeverityFit, command: str) -> str:
    m = result.model
    order = np.argsort(-result.oof, kind="stable")
    thresholds = sorted({m.threshold, *(float(result.oof[order[int(s * len(order)) - 1]]) for s in TABLE_SHARES)})
    top50 = result.unhealthy[order[:50]].mean()
    lines = [
        f"# {m.name}",
        "",
        f"Severity layer of preset `{m.meta.get('preset')}`: a logistic regression that turns a comment's",
        "scores into the probability that a moderator would act on it (annotators called it not",
        "healthy), fitted at natural prevalence on the development half of the Unhealthy Comments",
        "Corpus (Globe and Mail comments; `split_ucc(ucc, 0.5)`, first half). The held-out half is",
        "never read by the fit; its figures are in docs/flags.md (`benchmarks/eval_queue.py`).",
        "",
        f"- Fitted: {m.meta.get('trained')} by `{command}`; {m.meta.get('development_rows')} development comments",
        "- Data: Unhealthy Comments Corpus val split (github.com/conversationai/unhealthy-conversations),",
        "  CC BY-NC-SA 4.0: check before commercial use.",
        "- Features (forward selection on 5-fold out-of-fold log-loss, each must save >= 0.0005):",
        f"  {', '.join(m.features)}",
        f"- Operating point: {m.meta.get('operating_point')}: min severity {m.threshold:.4f}",
        "- Artefact: severity.json (coefficients on standardised features, offsets, operating point)",
        "",
        "| feature | dev mean | dev sd | coefficient (per sd) |",
        "| --- | --- | --- | --- |",
        *(
            f"| {f} | {a:.3f} | {s:.3f} | {c:+.3f} |"
            for f, a, s, c in zip(m.features, m.mean, m.scale, m.coef, strict=True)
        ),
        f"| intercept | | | {m.intercept:+.3f} |",
        "",
        "## Feature selection (out-of-fold log-loss on development comments)",
        "",
        "| features | log-loss |",
        "| --- | --- |",
        *(f"| {names} | {loss:.4f} |" for names, loss in result.selection),
        "",
        "## Single scores on development comments (ROC AUC)",
        "",
        "Attribute heads trained on Civil Comments labels (insult, threat, identity_attack,",
        "severe_toxicity) are weak on natural traffic; they are never candidates here and never",
        "flag on their own: the queue shows them as evidence only. The unhealthy head was trained",
        "on this same development half (models/unhealthy-minilm): its figures here, and the values",
        "the fit reads, are out-of-fold (each comment scored by a fold head that never saw it).",
        "",
        "| score | AUC not healthy | AUC hostile |",
        "| --- | --- | --- |",
        *(f"| {n} | {a:.3f} | {h:.3f} |" for n, (a, h) in result.head_auc.items()),
        "",
        "## Queue on development comments (out-of-fold estimates)",
        "",
        f"Share not healthy among the 50 most severe: {top50:.3f}.",
        "",
        *curve_rows(result.oof, result.unhealthy, result.hostile, thresholds),
        "",
        "## Term-neutral offsets (identity terms)",
        "",
        "Development comments naming an identity term were rewritten with each term and with a",
        "neutral word; a term's offset is the mean logit rise over the neutral rewrite. At run time",
        "the largest offset among the terms a comment names is taken off that score's logit.",
        "Largest offsets:",
        "",
    ]
    for feature, table in m.offsets.items():
        top = sorted(table.items(), key=lambda kv: -kv[1])[:8]
        lines.append(f"- {feature}: " + ", ".join(f"{t} {v:+.2f}" for t, v in top))
    lines.append("")
    return "\n".join(lines)
