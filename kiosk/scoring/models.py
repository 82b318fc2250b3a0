"""Hash-verified loading of the ONNX risk models (edge_models/models) and single-row evaluation.

Model updates arrive as files plus ``manifest.json``: copy both into the models directory and
restart the kiosk. Each file's bytes are hashed and only the verified bytes are handed to
onnxruntime, so a file swapped after the check is never run. The manifest is an integrity check
(SHA-256), not a cryptographic signature: whoever can write the directory can rewrite both.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

import edge_models
from kiosk.errors import KioskError

log = logging.getLogger(__name__)

DEFAULT_MODELS_DIR = Path(edge_models.__file__).resolve().parent / "models"
MANIFEST = "manifest.json"


class ModelIntegrityError(KioskError):
    """A model file is missing, unknown, tampered with or unreadable."""

    advice = (
        "Reinstall the model files together with their manifest.json (python -m edge_models.build "
        "or the release bundle). Readings and guideline categories still work without models."
    )

    def __init__(self, message: str, *, model: str) -> None:
        super().__init__(message)
        self.model = model


@dataclass(frozen=True, slots=True)
class LoadedModel:
    name: str
    version: str
    sha256: str
    columns: tuple[str, ...]
    valid_range: dict[str, tuple[float, float]]
    metadata: dict[str, str]
    session: Any  # onnxruntime.InferenceSession (untyped library)
    outputs: tuple[str, ...]

    def run(self, row: Sequence[float]) -> dict[str, list[float]]:
        x = np.asarray([row], dtype=np.float64)
        values = self.session.run(None, {"x": x})
        return {
            name: [float(v) for v in arr[0]] for name, arr in zip(self.outputs, values, strict=True)
        }

    def out_of_range(self, values: dict[str, float]) -> list[str]:
        """Names of inputs outside the model's validated range (inclusive bounds)."""
        return [
            key
            for key, (low, high) in self.valid_range.items()
            if key in values and not low <= values[key] <= high
        ]


def _session(data: bytes) -> Any:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # lower jitter, same speed (scoring.md §3.5)
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])


def _load_one(directory: Path, name: str, entry: dict[str, Any]) -> LoadedModel:
    fname = entry.get("file")
    expected = entry.get("sha256")
    if not isinstance(fname, str) or not isinstance(expected, str) or "/" in fname:
        raise ModelIntegrityError(f"manifest entry for {name} is malformed", model=name)
    try:
        data = (directory / fname).read_bytes()
    except OSError as exc:
        raise ModelIntegrityError(f"model {name}: cannot read {fname}: {exc}", model=name) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelIntegrityError(
            f"model {name}: SHA-256 mismatch ({actual[:12]}… != manifest {expected[:12]}…)",
            model=name,
        )
    try:
        session = _session(data)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelIntegrityError(
            f"model {name}: onnxruntime refused it: {exc}", model=name
        ) from exc
    meta = dict(session.get_modelmeta().custom_metadata_map)
    if meta.get("name") != name or meta.get("version") != entry.get("version"):
        raise ModelIntegrityError(
            f"model {name}: metadata name/version {meta.get('name')}/{meta.get('version')} "
            f"does not match the manifest",
            model=name,
        )
    columns = tuple(col for col, _unit in json.loads(meta["inputs"]))
    ranges = {k: (float(v[0]), float(v[1])) for k, v in json.loads(meta["valid_range"]).items()}
    outputs = tuple(o.name for o in session.get_outputs())
    return LoadedModel(name, meta["version"], actual, columns, ranges, meta, session, outputs)


@dataclass(frozen=True, slots=True)
class ModelSet:
    models: dict[str, LoadedModel]
    unavailable: dict[str, str]  # name or file -> reason (for the staff screen and the log)

    @classmethod
    def load(cls, directory: Path = DEFAULT_MODELS_DIR, *, strict: bool = False) -> ModelSet:
        """Load every model listed in the manifest. strict=True raises on the first problem;
        otherwise problems are collected in ``unavailable`` and those models are not used."""
        models: dict[str, LoadedModel] = {}
        unavailable: dict[str, str] = {}
        try:
            manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            entries = manifest["models"]
            if not isinstance(entries, dict):
                raise TypeError("models is not an object")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            err = ModelIntegrityError(f"model manifest unusable: {exc}", model=MANIFEST)
            if strict:
                raise err from exc
            log.error("%s", err)
            return cls({}, {MANIFEST: str(err)})
        listed = {e.get("file") for e in entries.values() if isinstance(e, dict)}
        for path in sorted(directory.glob("*.onnx")):
            if path.name not in listed:
                reason = f"unknown model file {path.name} (not in the manifest): not loaded"
                if strict:
                    raise ModelIntegrityError(reason, model=path.name)
                unavailable[path.name] = reason
        for name, entry in sorted(entries.items()):
            try:
                if not isinstance(entry, dict):
                    raise ModelIntegrityError(f"manifest entry for {name} is malformed", model=name)
                models[name] = _load_one(directory, name, entry)
            except ModelIntegrityError as exc:
                if strict:
                    raise
                log.error("%s", exc)
                unavailable[name] = str(exc)
        return cls(models, unavailable)
