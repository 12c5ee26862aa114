"""First-generation trainers (frozen packaged MiniLM, logistic heads): artefacts and model cards.

The shipped second generation comes from `finetune.py` + `ship.py` (see
models/minilm-moderate/MODEL_CARD.md); these heads are written to models/<name>-base.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from moderation.config import EncoderSpec, resource_dir
from moderation.evaluate import evaluate_file
from moderation.schema import SCORE_GROUPS
from moderation.scoring.base import sha256_file
from moderation.scoring.encoder import SentenceEncoder
from moderation.training import data, sentiment, stance, toxicity
from moderation.training import severity as severity_fit
from moderation.training.fit import head_config, today, write_artefact

VERSION = "0.1.0"
# First-generation heads read the packaged base encoder, so they go beside the shipped
# second-generation heads (models/<name>-base), never over them; a preset uses them with
# [encoder] model = "all-MiniLM-L6-v2" and each scorer's `model` option set to the folder.
BASE_SUFFIX = "-base"
LICENCES = {
    "civil_comments": "Civil Comments toxic spans (github.com/ipavlopoulos/toxic_spans), CC0 1.0",
    "olid": "OLID via TweetEval offensive train (github.com/cardiffnlp/tweeteval), "
    "released without restrictions; Twitter terms apply",
    "davidson": "Davidson et al. 2017 hate/offensive tweets "
    "(github.com/t-davidson/hate-speech-and-offensive-language), MIT",
    "ucc": "Unhealthy Comments Corpus val split (github.com/conversationai/unhealthy-conversations), CC BY-NC-SA 4.0",
}


def _encoder() -> SentenceEncoder:
    return SentenceEncoder(batch_size=32, threads=2)


def _config(labels: dict[str, list[str]], features: dict[str, bool]) -> dict[str, object]:
    """First-generation heads: frozen packaged MiniLM; the training texts are not hashed."""
    return head_config(EncoderSpec(), VERSION, labels, features, "not recorded (first-generation trainer)")


def _fmt(metrics: dict[str, float]) -> str:
    return "\n".join(f"| {k} | {v:.3f} |" for k, v in metrics.items())


def _eval_block(title: str, command: str, **kwargs: object) -> str:
    report = evaluate_file(**kwargs)  # type: ignore[arg-type]
    return f"### {title}\n\n```\n$ {command}\n{report.format()}\n```\n"


def _write_card(out: Path, body: str) -> None:
    head = out / "head.npz"
    size = head.stat().st_size
    text = body.replace("{SIZE}", f"{size:,} bytes").replace("{SHA}", sha256_file(head))
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def run(what: str, args: argparse.Namespace) -> None:
    models = args.models_dir or resource_dir("models")
    encoder = _encoder()
    steps = ["sentiment", "stance", "toxicity"] if what == "all" else [what]
    for step in steps:
        {"sentiment": _sentiment, "stance": _stance, "toxicity": _toxicity}[step](args, models, encoder)


def severity(args: argparse.Namespace) -> Path:
    """Fit models/severity-<preset>/ from the preset's scores of the UCC development half."""
    from moderation.moderator import Moderator

    models = args.models_dir or resource_dir("models")
    mod = Moderator(args.preset, queue={"severity_model": None})  # the model being fitted may not exist yet
    result = severity_fit.fit(mod, args.data_dir, args.scores_cache)
    out = severity_fit.save(
        result, models / f"severity-{mod.preset.name}", f"moderate train severity --preset {args.preset}"
    )
    m = result.model
    print(f"severity-{mod.preset.name}: features {', '.join(m.features)}; min severity {m.threshold:.4f}")
    return out


def _sentiment(args: argparse.Namespace, models: Path, encoder: SentenceEncoder) -> None:
    result = sentiment.train(args.data_dir, encoder)
    out = models / f"sentiment-minilm{BASE_SUFFIX}"
    write_artefact(out, result.arrays, _config({"sentiment": list(SCORE_GROUPS["sentiment"])}, {}))
    m = result.metrics
    print("sentiment", m)
    _write_card(
        out,
        f"""# sentiment-minilm

Negative / neutral / positive head on frozen all-MiniLM-L6-v2 embeddings (mean pooled, unit
length), used by the `sentiment-head` scorer in preset `default`.

- Trained: {today()} by `python -m moderation.training sentiment` (seed 13), version {VERSION}
- Data: TweetEval sentiment validation split, {result.n} tweets (SemEval-2017 Task 4A;
  github.com/cardiffnlp/tweeteval, released without restrictions; Twitter terms apply).
  Note the domain gap: tweets, not news comments.
- Model: multinomial logistic regression (C=1, classes balanced), 3 x 384 weights.
- Artefact: head.npz, {{SIZE}}, sha256 {{SHA}}

## Why this head and not VADER

Measured by 5-fold stratified cross-validation on the same 2,000 tweets (every tweet is
predicted by a model that did not see it; the VADER band is fitted on the training folds):

| model | macro-F1 |
| --- | --- |
| VADER as the `vader` scorer maps it (argmax of max(-c,0), 1-abs(c), max(c,0)) | {m["cv_macro_f1_vader_scorer"]:.3f} |
| VADER with a neutral band fitted on training folds | {m["cv_macro_f1_vader_fitted_band"]:.3f} |
| this head (MiniLM + logistic regression) | {m["cv_macro_f1_head"]:.3f} |

The head is kept as `default` if it scores higher here; `fast` keeps VADER (about 1,500
texts/s, no encoder). No news-comment sentiment labels were available to check the domain gap.
""",
    )


def _stance(args: argparse.Namespace, models: Path, encoder: SentenceEncoder) -> None:
    result = stance.train(args.data_dir, encoder)
    out = models / f"stance-minilm{BASE_SUFFIX}"
    write_artefact(out, result.arrays, _config({"stance": list(SCORE_GROUPS["stance"])}, {"cues": True}))
    m = result.metrics
    print("stance", m)
    evals = ""
    if not args.no_eval:
        dev_csv = export_stance(args.data_dir, args.holdout_dir)[0]
        evals = _eval_block(
            "RumourEval dev (not trained on)",
            f"moderate eval --task stance {dev_csv} --text-col text --label-col stance --target-col target",
            task="stance",
            path=dev_csv,
            text_col="text",
            label_col="stance",
            target_col="target",
        )
    _write_card(
        out,
        f"""# stance-minilm

Stance of a reply toward a target text (support / deny / query / comment), used by the
`stance-head` scorer in preset `default` with the article's title + lead as the target.
With no target the scorer returns no stance (the pipeline omits the group); it never guesses.

- Trained: {today()} by `python -m moderation.training stance` (seed 13), version {VERSION}
- Data: RumourEval 2017 subtask A (github.com/autoreleasefool/rumoureval; licence not stated
  in the repo, tweets under Twitter terms), split=train: {result.counts["train"]} replies in
  {result.counts["events"]} events, each paired with its thread's source tweet.
- Model: logistic regression (C={stance.C}, classes balanced) over [reply, source*reply,
  abs(source-reply)] MiniLM features plus {len(stance.stance_cues([""])[0])} cue counts
  (question mark, question word, denial words, negations, support words).
- Artefact: head.npz, {{SIZE}}, sha256 {{SHA}}

## Metrics (macro-F1 over the 4 classes, data not trained on)

The shared RumourEval file has no test split (only train and dev), so besides dev the table
gives leave-one-event-out cross-validation on train (each event predicted by a model trained
on the other events).

| measure | value |
| --- | --- |
{_fmt(m)}

Domain gap: tweets replying to breaking-news tweets, not comments under articles. Rare
classes (deny, query) stay weak; see the per-class table below.

{evals}""",
    )


def export_stance(data_dir: Path, out_dir: Path) -> list[Path]:
    """RumourEval dev and train replies as CSVs (text, target, stance) for `moderate eval`."""
    s = data.rumoureval(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for split in ("dev", "train"):
        path = out_dir / f"rumoureval_{split}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "target", "stance"])
            for text, target, sp, lab in zip(
                s.texts, s.extra["target"], s.extra["split"], s.labels["label"], strict=True
            ):
                if sp == split:
                    writer.writerow([text, target, data.STANCES[lab]])
        paths.append(path)
    return paths


def _toxicity(args: argparse.Namespace, models: Path, encoder: SentenceEncoder) -> None:
    result = toxicity.train(args.data_dir, encoder, args.ucc_train_fraction, args.holdout_dir)
    out = models / f"toxicity-minilm{BASE_SUFFIX}"
    attributes = ["toxicity", *toxicity.ATTRIBUTE_LABELS]
    write_artefact(out, result.arrays, _config({"attributes": attributes}, {"stack": True}))
    print("toxicity", result.metrics, result.counts)
    evals = ""
    hold = result.holdout_csv
    if hold is not None and not args.no_eval:
        for label in ("hostile", "unhealthy"):
            for preset, score in (("default", "toxicity"), ("fast", "profanity")):
                evals += _eval_block(
                    f"UCC held-out rows, label {label}, preset {preset}, score {score}",
                    f"moderate eval --task toxicity {hold} --text-col comment --label-col {label} "
                    f"--preset {preset} --score {score}",
                    task="toxicity",
                    path=hold,
                    text_col="comment",
                    label_col=label,
                    preset=preset,
                    score=score,
                )
    sources = "\n".join(f"  - {LICENCES[k]}: {n} texts" for k, n in result.counts.items())
    ucc_note = (
        f"{args.ucc_train_fraction:.0%} of UCC val rows (seeded split) are in the training mix; "
        "every UCC figure below is on the other rows only. Because UCC is CC BY-NC-SA 4.0, these "
        "weights are derived from non-commercial share-alike data: check before commercial use."
        if args.ucc_train_fraction > 0
        else "No UCC rows are in the training mix; UCC figures use its held-out rows."
    )
    _write_card(
        out,
        f"""# toxicity-minilm

Heads on frozen all-MiniLM-L6-v2 embeddings used by the `toxicity-head` scorer in preset
`default`: `toxicity` (stacked), `severe_toxicity`, `insult`, `identity_attack`, `threat`.
`profanity` in `default` is not from this model: it is alt-profanity-check's probability.
Long comments are scored per chunk (at most 128 word pieces each); a comment's score is the
max over its chunks and the top chunk's span is reported.

- Trained: {today()} by `python -m moderation.training toxicity --ucc-train-fraction {args.ucc_train_fraction}`
  (seed 13), version {VERSION}
- Data (texts truncated to 128 word pieces; classes balanced within each source, every
  source the same total weight):
{sources}
- {ucc_note}
- toxicity: logistic head (384 weights) -> its out-of-fold logit is stacked with the
  alt-profanity-check logit and VADER compound by a 3-feature logistic regression.
- attributes: logistic heads on Civil Comments plus every non-toxic text of the other
  sources as a negative (classes balanced). Labels from
  raw/spans.csv types: insult = share of raters marking an Insult span >= 1/2;
  identity_attack = Identity based Attack share >= 1/3; threat = Threat share >= 1/3;
  severe_toxicity = every rater toxic and at least half marked an obscene, identity-attack
  or threat span (a proxy: no severity label exists here). With 3 raters per comment, 1/3
  means one rater: these labels are noisy. The Civil sample keeps every identity-attack/threat comment.
- Scores come from balanced training, so they are not calibrated probabilities on natural
  traffic (few comments are toxic): read the reliability tables before choosing thresholds.
- Artefact: head.npz, {{SIZE}}, sha256 {{SHA}}

## Out-of-fold metrics on the training sources (5-fold, ROC AUC)

| measure | value |
| --- | --- |
{_fmt(result.metrics)}

Threat ({int(result.metrics["positives_threat_civil"])} positives) and identity attack
({int(result.metrics["positives_identity_attack_civil"])}) rest on few examples; their
out-of-fold AUC is on Civil Comments (pre-selected as likely toxic) plus the clean texts of the
other sources, not on natural traffic; the positives are labelled by one or two raters.

## Natural news comments (UCC, Globe and Mail; rows not trained on)

{evals}""",
    )


def unhealthy(args: argparse.Namespace) -> Path:
    """Fit models/unhealthy-minilm/ on the UCC development half; its card states held-out AUCs."""
    import numpy as np

    from moderation.evaluate import roc_auc
    from moderation.moderator import Moderator
    from moderation.scoring.encoder import encoder_path
    from moderation.training import unhealthy as head
    from moderation.training.toxicity import split_ucc

    models = args.models_dir or resource_dir("models")
    spec = EncoderSpec(model="minilm-moderate")
    encoder = SentenceEncoder(encoder_path(spec.model), batch_size=32, max_tokens=spec.max_tokens, threads=2)
    result = head.fit(args.data_dir, encoder, args.cache_dir)
    out = models / head.NAME
    head.save(result, out, spec.model, spec.max_tokens, "Held-out figures: pending (written below after the fit).")
    # Held-out half: read only now, to report; nothing above saw it.
    ucc = data.ucc(args.data_dir)
    _, held = split_ucc(ucc, 0.5)
    mod = Moderator("default", queue={"severity_model": None})
    scores = severity_fit.cached_scores(mod, [ucc.texts[i] for i in held], args.scores_cache)
    rows = ["| score | AUC not healthy | AUC hostile |", "| --- | --- | --- |"]
    for name in ("unhealthy", "toxicity", "profanity", "insult"):
        vals = np.array([s.attributes.get(name, np.nan) for s in scores])
        rows.append(
            f"| {name} | {roc_auc((ucc.labels['unhealthy'][held] == 1).astype(int), vals):.3f} "
            f"| {roc_auc((ucc.labels['hostile'][held] == 1).astype(int), vals):.3f} |"
        )
    share = float(np.mean([s.attributes["unhealthy"] >= 0.5 for s in scores]))
    heldout = (
        f"## Held-out half of UCC ({len(held)} comments, never read by the fit)\n\n"
        + "\n".join(rows)
        + f"\n\nShare of held-out comments with unhealthy >= 0.5: {share:.3f}. Baselines: the other scores of\n"
        "the same preset on the same comments (none of their heads was trained on UCC).\n"
        "Reproduce: `moderate train unhealthy` (writes this card).\n"
    )
    head.save(result, out, spec.model, spec.max_tokens, heldout)
    print(f"{head.NAME}: C {result.c:g}, development out-of-fold AUC {result.cv_auc[result.c]:.3f}")
    return out
