"""Render every prompt to WAV: ``python -m ui.voice.build`` (``make voice``).

Needs Debian's ``espeak-ng`` and ``sox`` (``apt-get install espeak-ng sox``), only here: the
kiosk and the tests use the committed files in ``prompts/``. espeak-ng is the one offline Korean
voice that installs from Debian or PyPI; docs/voice.md says why and how a voice talent's
recordings replace it (``--recorded DIR``).

A file whose sentence has not changed is left alone, so re-running only renders what changed
(``--force`` renders everything). Recorded files are never overwritten by synthesis.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from ui.voice import manifest
from ui.voice.catalogue import CLIPS, LANGUAGES, sentence

# espeak-ng voices and speeds (words per minute). Slower than the default 175 for older
# listeners: about 4 syllables a second in Korean (kiosk_ux.md §1.4).
VOICES = {"ko": ("ko", 150), "en": ("en-us", 145)}
TIMEOUT_S = 60


class VoiceBuildError(KioskError):
    """The prompt build could not run or a tool failed."""


# Hangul syllable arithmetic: 0xAC00 + (initial * 21 + vowel) * 28 + final.
_BASE, _FINALS = 0xAC00, 28
_NASAL_INITIALS = {2, 6}  # ㄴ, ㅁ
# Obstruent finals become the nasal of their place before ㄴ/ㅁ (비음화): ㄱ→ㅇ, ㄷ→ㄴ, ㅂ→ㅁ.
_NASALISED = {
    **dict.fromkeys((1, 2, 3, 9, 24), 21),  # ㄱ ㄲ ㄳ ㄺ ㅋ → ㅇ
    **dict.fromkeys((7, 19, 20, 22, 23, 25, 27), 4),  # ㄷ ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ → ㄴ
    **dict.fromkeys((11, 14, 17, 18, 26), 16),  # ㄼ ㄿ ㅂ ㅄ ㅍ → ㅁ
}


def _syllable(ch: str) -> int | None:
    code = ord(ch) - _BASE
    return code if 0 <= code < 11172 else None


# Readings espeak-ng gets wrong ("~" is read as the English "tilde", "30 s" as "thirty ess");
# each checked with ``espeak-ng -x``.
_READINGS = {
    "ko": ((r"6~12자리", "여섯에서 열두 자리"), (r"QR", "큐알")),
    "en": ((r"(\d+) s\b", r"\1 seconds"),),
}


def respell(text: str, language: str) -> str:
    """The synthesiser's input for a sentence (the manifest keeps the sentence itself)."""
    for written, said in _READINGS[language]:
        text = re.sub(written, said, text)
    return respell_ko(text) if language == "ko" else text


def respell_ko(text: str) -> str:
    """Spell out nasal assimilation (비음화), which espeak-ng ignores: "입니다" is said
    "ipnida", not "임니다"."""
    out = list(text)
    for i in range(len(out) - 1):
        here, after = _syllable(out[i]), _syllable(out[i + 1])
        if here is None or after is None:
            continue
        final = here % _FINALS
        if after // (21 * _FINALS) in _NASAL_INITIALS and final in _NASALISED:
            out[i] = chr(_BASE + here - final + _NASALISED[final])
    return "".join(out)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise VoiceBuildError(
            f"{name} is not installed; the prompt build needs it",
            advice="Install it: sudo apt-get install espeak-ng sox",
        )
    return path


def _run(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as e:
        raise VoiceBuildError(f"{args[0]} timed out", advice="Run it by hand to see why.") from e
    if done.returncode != 0:
        raise VoiceBuildError(
            f"{Path(args[0]).name} failed: {done.stderr.strip()}",
            advice="Check the tool by hand with the same arguments.",
        )
    return done.stdout + done.stderr


def _normalise(sox: str, source: Path, target: Path) -> None:
    """Mono 16 kHz 16-bit, leading/trailing silence trimmed, peak at -3 dBFS, short pads.

    ``-D`` (no dither) keeps the output identical between runs of the same input.
    """
    _run(
        [sox, "-D", str(source), "-r", str(manifest.SAMPLE_RATE), "-c", "1", "-b", "16",
         str(target), "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%",
         "reverse", "norm", "-3", "pad", "0.15", "0.25"]
    )  # fmt: skip


def renderer_name() -> str:
    espeak = _run([_tool("espeak-ng"), "--version"]).split("Data at")[0].strip()
    sox = _run([_tool("sox"), "--version"]).strip().split()[-1]
    return f"{espeak}; sox {sox}"


def render(
    out: Path = manifest.PROMPTS_DIR,
    *,
    only: set[str] | None = None,
    force: bool = False,
    recorded: Path | None = None,
) -> list[str]:
    """Render (or adopt recordings for) every prompt that needs it; returns the files written."""
    espeak, sox = _tool("espeak-ng"), _tool("sox")
    out.mkdir(parents=True, exist_ok=True)
    data = manifest.load(out)
    data.setdefault("clips", {})
    data["format"] = {"channels": 1, "sample_rate": manifest.SAMPLE_RATE, "sample_width": 2}
    written: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        for key in CLIPS:
            if only is not None and key not in only:
                continue
            for language in LANGUAGES:
                name = manifest.file_name(key, language)
                text = sentence(key, language)
                target = out / name
                old = manifest.entry(data, key, language) or {}
                said = text
                take = recorded / name if recorded is not None else None
                if take is not None and take.exists():
                    _normalise(sox, take, target)
                    source = "recorded"
                else:
                    said = respell(text, language)
                    current = old.get("text_sha256") == manifest.sha256_text(text)
                    if target.exists() and current and old.get("source") == "recorded":
                        continue
                    if target.exists() and current and old.get("said", text) == said and not force:
                        continue
                    voice, speed = VOICES[language]
                    _run([espeak, "-v", voice, "-s", str(speed), "-w", str(raw), "--", said])
                    _normalise(sox, raw, target)
                    source = "espeak-ng"
                info = manifest.wav_info(target)
                item: dict[str, Any] = {
                    "file": name,
                    "text": text,
                    "text_sha256": manifest.sha256_text(text),
                    "audio_sha256": manifest.sha256_file(target),
                    "seconds": round(info.seconds, 2),
                    "source": source,
                }
                if source == "espeak-ng" and said != text:
                    item["said"] = said  # what the synthesiser was given instead
                data["clips"].setdefault(key, {})[language] = item
                written.append(name)
    # Keys no longer in the catalogue go, with their files.
    for key in set(data["clips"]) - set(CLIPS):
        for language in LANGUAGES:
            (out / manifest.file_name(key, language)).unlink(missing_ok=True)
        del data["clips"][key]
    if written:
        data["renderer"] = renderer_name()
    manifest.save(data, out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.voice.build", description=__doc__)
    parser.add_argument("--out", type=Path, default=manifest.PROMPTS_DIR)
    parser.add_argument("--only", nargs="+", metavar="CLIP", help="just these clips")
    parser.add_argument("--force", action="store_true", help="re-render unchanged prompts too")
    parser.add_argument(
        "--recorded", type=Path, metavar="DIR", help="take <key>.<ko|en>.wav recordings from DIR"
    )
    parser.add_argument("--check", action="store_true", help="only verify files and manifest")
    args = parser.parse_args(argv)
    if args.check:
        problems = manifest.verify(args.out)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {args.out}")
        return 1 if problems else 0
    unknown = set(args.only or ()) - set(CLIPS)
    if unknown:
        parser.error(f"unknown clips: {', '.join(sorted(unknown))}")
    try:
        written = render(
            args.out,
            only=set(args.only) if args.only else None,
            force=args.force,
            recorded=args.recorded,
        )
    except VoiceBuildError as e:
        print(f"error: {e}\n{e.advice}", file=sys.stderr)
        return 1
    print(f"{len(written)} file(s) written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
