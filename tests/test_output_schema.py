"""The JSON Schema in docs/schema matches the code and validates every output of every fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.schema_export import output_schemas, schema_file_name
from tests.conftest import ROOT
from tests.test_one_path import fixture_inputs

jsonschema = pytest.importorskip("jsonschema")
cli = CliRunner()
SCHEMAS = output_schemas()
DOCS = ROOT / "docs" / "schema"


def validate_folder(out: Path) -> int:
    """Validate every output file in `out`; how many rows were checked."""
    checked = 0
    for name, schema in SCHEMAS.items():
        path = out / name
        if not path.exists():
            continue
        validator = jsonschema.Draft202012Validator(schema)
        text = path.read_text(encoding="utf-8")
        rows = [json.loads(text)] if name.endswith(".json") else [json.loads(line) for line in text.splitlines()]
        for row in rows:
            errors = sorted(validator.iter_errors(row), key=lambda e: list(e.path))
            assert not errors, f"{path}: {errors[0].message} at {list(errors[0].path)}"
            checked += 1
    return checked


def test_the_schema_files_in_docs_match_the_code():
    for name, schema in SCHEMAS.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        on_disk = json.loads((DOCS / schema_file_name(name)).read_text(encoding="utf-8"))
        assert on_disk == schema, f"docs/schema is stale: run `moderate schema -o docs/schema` ({name})"


@pytest.mark.parametrize("path", fixture_inputs(), ids=lambda p: p.name)
def test_every_fixture_output_validates(path, tmp_path):
    for command, extra in (("parse", []), ("score", ["-p", "fast"])):
        out = tmp_path / command
        result = cli.invoke(app, [command, str(path), "-o", str(out), "-q", *extra])
        assert result.exit_code in (0, 1), result.output
        assert validate_folder(out) >= 1  # run.json at least


def test_the_schema_rejects_a_broken_row(tmp_path):
    result = cli.invoke(app, ["score", str(ROOT / "seeds"), "-o", str(tmp_path), "-p", "fast", "-q"])
    assert result.exit_code == 0
    row = json.loads((tmp_path / "comments.jsonl").read_text(encoding="utf-8").splitlines()[0])
    validator = jsonschema.Draft202012Validator(SCHEMAS["comments.jsonl"])
    assert not list(validator.iter_errors(row))
    for broken in (
        {**row, "depth": "0"},
        {**row, "scores": {"profanity": 1.5}},
        {k: v for k, v in row.items() if k != "text"},
    ):
        assert list(validator.iter_errors(broken))


def test_default_preset_outputs_validate(tmp_path):
    result = cli.invoke(app, ["score", str(ROOT / "seeds"), "-o", str(tmp_path), "-q"])
    if result.exit_code == 2 and "model" in result.output.lower():
        pytest.skip("default preset models are not installed")
    assert result.exit_code == 0, result.output
    assert validate_folder(tmp_path) > 19
    assert "toxicity" in json.loads((tmp_path / "comments.jsonl").read_text().splitlines()[0])["scores"]


def test_parquet_output_holds_the_same_rows(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.jsonl"
    rows = [
        {"article_id": "a", "comment_id": "1", "author": "Ann", "text": "You fucking idiot, https://spam.example"},
        {"article_id": "a", "comment_id": "2", "parent_id": "1", "text": "Thanks, a fair reply."},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    result = cli.invoke(app, ["score", str(src), "-o", str(out), "-p", "fast", "-q", "--output-format", "parquet"])
    assert result.exit_code == 0, result.output
    for name in ("articles", "comments", "threads"):
        jsonl = [json.loads(line) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        table = pq.read_table(out / f"{name}.parquet").to_pylist()
        assert len(table) == len(jsonl) >= 1
    comments = pq.read_table(out / "comments.parquet").to_pylist()
    jsonl = [json.loads(line) for line in (out / "comments.jsonl").read_text(encoding="utf-8").splitlines()]
    for row, parquet_row in zip(jsonl, comments, strict=True):
        assert parquet_row["comment_id"] == row["comment_id"] and parquet_row["text"] == row["text"]
        assert parquet_row["parent_id"] == row["parent_id"] and parquet_row["flagged"] == row["flagged"]
        assert parquet_row["scores"]["profanity"] == row["scores"]["profanity"]
        assert parquet_row["scores"]["sentiment"] == row["scores"]["sentiment"]
        assert [f["reason"] for f in parquet_row["flags"]] == [f["reason"] for f in row["flags"]]
        assert dict(parquet_row["labels"]) == row["labels"]
        assert parquet_row["more_json"] is None
    assert comments[0]["flagged"] and comments[1]["reply_to_author"] == "Ann"


def test_unknown_output_format_is_bad_usage(tmp_path):
    result = cli.invoke(app, ["score", str(ROOT / "seeds"), "-o", str(tmp_path / "o"), "--output-format", "xlsx"])
    assert result.exit_code == 2 and "unknown output format" in result.output
    assert not (tmp_path / "o").exists()
