"""The prompt files and their manifest: which sentence each file was made from, and a check.

``prompts/manifest.json`` records, per clip and language, the SHA-256 of the sentence a file was
rendered (or recorded) from and of the file itself. :func:`verify` compares it with the
catalogue, so a changed sentence whose audio was not re-rendered fails the tests.
"""

from __future__ import annotations

import hashlib
import json
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ui.voice.catalogue import CLIPS, LANGUAGES, sentence

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
MANIFEST = "manifest.json"
# Small files for the repository, plenty for speech: mono, 16 kHz, 16-bit PCM.
SAMPLE_RATE = 16_000
CHANNELS = 1
SAMPLE_WIDTH = 2
MIN_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class WavInfo:
    channels: int
    sample_rate: int
    sample_width: int
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def file_name(key: str, language: str) -> str:
    return f"{key}.{language}.wav"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wav_info(path: Path) -> WavInfo:
    """Header facts of a WAV file; raises ``wave.Error`` or ``EOFError`` for a broken one."""
    with wave.open(str(path), "rb") as w:
        return WavInfo(w.getnchannels(), w.getframerate(), w.getsampwidth(), w.getnframes())


def load(directory: Path = PROMPTS_DIR) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.exists():
        return {"clips": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save(data: dict[str, Any], directory: Path = PROMPTS_DIR) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")


def entry(data: dict[str, Any], key: str, language: str) -> dict[str, Any] | None:
    found = data.get("clips", {}).get(key, {}).get(language)
    return found if isinstance(found, dict) else None


def verify(directory: Path = PROMPTS_DIR) -> list[str]:
    """Every problem with the prompt files, as a sentence each; empty when all is in order."""
    data = load(directory)
    problems: list[str] = []
    for key in CLIPS:
        for language in LANGUAGES:
            name = file_name(key, language)
            item = entry(data, key, language)
            if item is None:
                problems.append(f"{name}: not in the manifest")
                continue
            if item.get("file") != name:
                problems.append(f"{name}: the manifest names {item.get('file')!r}")
            if item.get("text_sha256") != sha256_text(sentence(key, language)):
                problems.append(f"{name}: the sentence changed since it was rendered")
            path = directory / name
            if not path.exists():
                problems.append(f"{name}: file missing")
                continue
            if item.get("audio_sha256") != sha256_file(path):
                problems.append(f"{name}: the audio differs from the manifest")
            try:
                info = wav_info(path)
            except (wave.Error, EOFError) as e:
                problems.append(f"{name}: not a readable WAV ({e})")
                continue
            expected = (CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH)
            if (info.channels, info.sample_rate, info.sample_width) != expected:
                problems.append(
                    f"{name}: {info.channels} ch, {info.sample_rate} Hz, "
                    f"{info.sample_width * 8}-bit; expected mono 16 kHz 16-bit"
                )
            if info.seconds < MIN_SECONDS:
                problems.append(f"{name}: only {info.seconds:.2f} s of audio")
    stale = set(data.get("clips", {})) - set(CLIPS)
    problems.extend(f"{key}: in the manifest but not in the catalogue" for key in sorted(stale))
    return problems
