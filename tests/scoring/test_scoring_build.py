"""The committed models are provably from the builder, carry their metadata, load under the
pinned runtime, and a tampered or unknown model is refused."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import onnx
import pytest

from edge_models import build
from kiosk.scoring.models import DEFAULT_MODELS_DIR, ModelIntegrityError, ModelSet
from kiosk.scoring.service import ScoringService, parse_inputs

EXPECTED = {
    "who2019_nonlab_hiap",
    "who2019_nonlab_kor",
    "framingham2008_office",
    "framingham_hypertension",
    "findrisc",
    "le8_subscores",
}


def test_rebuild_matches_committed_bytes(tmp_path: Path) -> None:
    build.build(tmp_path)
    committed = sorted(p.name for p in DEFAULT_MODELS_DIR.iterdir())
    rebuilt = sorted(p.name for p in tmp_path.iterdir())
    assert rebuilt == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (DEFAULT_MODELS_DIR / name).read_bytes(), name


def test_manifest_hashes_and_metadata() -> None:
    manifest = json.loads((DEFAULT_MODELS_DIR / "manifest.json").read_text("utf-8"))
    assert set(manifest["models"]) == EXPECTED
    assert "not a cryptographic signature" in manifest["integrity"]
    for name, entry in manifest["models"].items():
        data = (DEFAULT_MODELS_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        model = onnx.load_from_string(data)
        # Pinned below onnx 1.23's defaults (IR 14 / opset 28) so onnxruntime 1.31 loads it too.
        assert model.ir_version == build.IR_VERSION == 8
        assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)]
        props = {p.key: p.value for p in model.metadata_props}
        assert props["name"] == name
        assert props["version"] == entry["version"]
        for key in ("source", "inputs", "valid_range", "output", "calibration", "title"):
            assert props[key], key
        json.loads(props["valid_range"])


def _copy_models(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, target)
    return target


def test_tampered_model_is_refused_and_categories_still_work(tmp_path: Path) -> None:
    d = _copy_models(tmp_path)
    data = bytearray((d / "framingham2008_office.onnx").read_bytes())
    data[-1] ^= 0x01
    (d / "framingham2008_office.onnx").write_bytes(bytes(data))

    with pytest.raises(ModelIntegrityError, match="SHA-256 mismatch") as info:
        ModelSet.load(d, strict=True)
    assert info.value.model == "framingham2008_office"

    service = ScoringService.load(d)
    assert set(service.unavailable) == {"framingham2008_office"}
    inputs = parse_inputs(
        {"sex": "M", "age": 55, "bmi": 30, "systolic": 185, "diastolic": 90, "smoker": False,
         "bp_treated": False, "diabetes": False}
    )  # fmt: skip
    result = service.assess(inputs)
    assert result.framingham_cvd_10y is None
    assert "framingham2008_office" not in result.models
    assert result.who_cvd_10y is not None  # the untouched models still run
    assert result.bp_category == "stage2"
    assert [a.code for a in result.alerts] == ["bp_very_high"]


def test_unknown_model_file_is_not_loaded(tmp_path: Path) -> None:
    d = _copy_models(tmp_path)
    shutil.copy(d / "findrisc.onnx", d / "extra.onnx")
    with pytest.raises(ModelIntegrityError, match=r"unknown model file extra\.onnx"):
        ModelSet.load(d, strict=True)
    model_set = ModelSet.load(d)
    assert "extra.onnx" in model_set.unavailable
    assert set(model_set.models) == EXPECTED


def test_swapped_model_with_rewritten_hash_is_caught_by_metadata(tmp_path: Path) -> None:
    # Someone copies one model over another and fixes the hash: the embedded name disagrees.
    d = _copy_models(tmp_path)
    shutil.copy(d / "findrisc.onnx", d / "framingham2008_office.onnx")
    manifest = json.loads((d / "manifest.json").read_text("utf-8"))
    manifest["models"]["framingham2008_office"]["sha256"] = manifest["models"]["findrisc"]["sha256"]
    (d / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelIntegrityError, match="does not match the manifest"):
        ModelSet.load(d, strict=True)


def test_missing_manifest_leaves_no_models(tmp_path: Path) -> None:
    d = _copy_models(tmp_path)
    (d / "manifest.json").unlink()
    with pytest.raises(ModelIntegrityError, match="manifest unusable"):
        ModelSet.load(d, strict=True)
    model_set = ModelSet.load(d)
    assert model_set.models == {}
    assert "manifest.json" in model_set.unavailable
