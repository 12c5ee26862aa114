"""The review queue: identity-term bias on templated sentences, queue figures, CLI options."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from benchmarks.eval_identity import Sentence, bias_table, sentences
from benchmarks.eval_queue import queue_figures
from moderation.cli import app
from tests.conftest import SEEDS

runner = CliRunner()


def test_templates_give_every_term_the_same_sentences():
    items = sentences()
    terms = {s.term for s in items}
    per_term = {t: [s.text.replace(t, "X", 1) for s in items if s.term == t] for t in ("gay", "muslim")}
    assert len(terms) == 40 and len(items) == 40 * 20
    assert sorted(x.split()[-1] for x in per_term["gay"]) == sorted(x.split()[-1] for x in per_term["muslim"])
    assert all(s.text[0].isupper() for s in items)


def test_bias_table_on_a_score_that_punishes_one_term():
    items = [Sentence(f"{t} {i}", t, tox) for t in ("a", "b") for i, tox in enumerate([False, False, True, True])]
    # neutral "a" sentences score like toxic ones: BPSN of "a" drops, its subgroup AUC stays perfect
    score = np.array([0.8, 0.8, 0.9, 0.9, 0.1, 0.1, 0.7, 0.7])
    flagged = score >= 0.75
    rows = {r["term"]: r for r in bias_table(items, score, flagged)}
    assert rows["a"]["subgroup_auc"] == 1.0 and rows["a"]["bpsn_auc"] == 0.0 and rows["a"]["bnsp_auc"] == 1.0
    assert rows["b"]["bpsn_auc"] == 1.0 and rows["b"]["bnsp_auc"] == 0.0
    assert rows["a"]["neutral_flagged"] == 1.0 and rows["b"]["neutral_flagged"] == 0.0


def test_queue_figures():
    flagged = np.array([True, True, False, False, False])
    severity = np.array([0.9, 0.5, 0.4, 0.1, 0.0])
    unhealthy = np.array([True, False, True, False, False])
    hostile = np.array([True, False, False, False, False])
    fig = queue_figures(flagged, severity, unhealthy, hostile)
    assert fig["share_flagged"] == pytest.approx(0.4)
    assert fig["precision_unhealthy"] == pytest.approx(0.5)
    assert fig["recall_hostile"] == 1.0 and fig["recall_unhealthy"] == 0.5


@pytest.fixture(scope="module")
def default_moderator():
    from moderation.moderator import Moderator

    return Moderator("default")


def test_neutral_identity_sentences_stay_out_of_the_default_queue(default_moderator):
    """Measured on every template sentence (40 terms x 20), not picked examples: the default
    queue takes none of the neutral ones and most of the toxic ones, and the term-neutral step
    lowers the severity of every neutral sentence naming a term with a positive offset.
    Known cost (docs/flags.md): a few attacks that name a term drop out too."""
    items = sentences()
    everything = default_moderator.score_texts([s.text for s in items])
    toxic_flagged = np.mean([r.flagged for s, r in zip(items, everything, strict=True) if s.toxic])
    assert toxic_flagged >= 0.8
    neutral = [s for s in items if not s.toxic]
    results = [r for s, r in zip(items, everything, strict=True) if not s.toxic]
    flagged = np.array([r.flagged for r in results])
    assert not flagged.any(), [s.text for s, f in zip(neutral, flagged, strict=True) if f]
    model = default_moderator.flag_settings.severity
    blind = dataclasses.replace(default_moderator.flag_settings, severity=dataclasses.replace(model, offsets={}))
    from moderation.analysis.flags import assess

    biased = [assess(s.text, r.scores, blind) for s, r in zip(neutral, results, strict=True)]
    shifted = 0
    plain = [f for f in model.features if f in model.offsets]  # logit features read as they are (no hinge)
    for s, r, b in zip(neutral, results, biased, strict=True):
        assert r.severity <= b.severity, s.text  # the step never raises a severity
        if any(model.offsets[f].get(s.term, 0.0) > 0 for f in plain):
            assert r.severity < b.severity, s.text
            shifted += 1
    assert shifted >= 100  # the step is at work on most terms, not on a handful


def test_cli_passes_queue_options_on(tmp_path):
    page = SEEDS / "004_20bb43e35edb2df2.txt"
    out = tmp_path / "all"
    everything = runner.invoke(app, ["score", str(page), "-o", str(out), "-p", "fast", "-q", "--min-severity", "0"])
    assert everything.exit_code == 0, everything.output
    rows = [json.loads(line) for line in (out / "comments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and all(r["flagged"] for r in rows)  # min severity 0: every comment is in the queue
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["queue"]["min_severity"] == 0.0
    shared = runner.invoke(
        app, ["score", str(page), "-o", str(tmp_path / "s"), "-p", "fast", "-q", "--queue-size", "3%"]
    )
    assert shared.exit_code == 0, shared.output
    run = json.loads((tmp_path / "s" / "run.json").read_text(encoding="utf-8"))
    assert 0 < run["queue"]["min_severity"] < 1
    for bad in (["--queue-size", "lots"], ["--queue-size", "0.03", "--min-severity", "0.2"], ["--queue-size", "150%"]):
        result = runner.invoke(app, ["score", str(page), "-o", str(tmp_path / "x"), "-p", "fast", "-q", *bad])
        assert result.exit_code == 2 and "error:" in result.output and "Traceback" not in result.output
