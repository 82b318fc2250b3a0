"""Visitor wording in Korean and English through Qt's translation tooling.

Korean is the source language. Screen wording is written in Python as
``translate("Kiosk", "한국어 문장")``: a form pyside6-lupdate extracts (it reads Python
lexically, knows ``translate(context, source[, disambiguation])`` and takes a ``#:`` comment on
the line above as a note for the translator; keyword arguments and f-strings are not extracted).
The English lives in ``ui/i18n/kiosk_en.ts`` (the translators' file, committed) and is compiled
to ``kiosk_en.qm`` (built, not committed) by ``make translations``.

A missing, stale or incomplete ``.qm`` is a :class:`TranslationsNotBuilt` or
:class:`MissingTranslation` error naming ``make translations``; the kiosk never falls back to
Korean only without saying so.

``python -m ui.i18n update`` runs lupdate (sources → .ts), ``python -m ui.i18n release`` runs
lrelease (.ts → .qm); the Makefile calls both.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QTranslator

from kiosk.errors import KioskError

CONTEXT = "Kiosk"
UI_DIR = Path(__file__).resolve().parent
I18N_DIR = UI_DIR / "i18n"
TS_PATH = I18N_DIR / "kiosk_en.ts"
QM_PATH = I18N_DIR / "kiosk_en.qm"
# Staff screens are out of the visitor catalogue, the screenshot tool's labels are for reviewers,
# and this module is the machinery.
NOT_SCANNED = ("admin", "screenshots.py", "i18n.py")


class Bilingual(NamedTuple):
    ko: str
    en: str

    def format(self, **values: object) -> Bilingual:
        """Fill ``{name}`` placeholders in both languages; a Bilingual value gives each
        language its own words."""
        ko = {k: v.ko if isinstance(v, Bilingual) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Bilingual) else v for k, v in values.items()}
        return Bilingual(self.ko.format(**ko), self.en.format(**en))


class TranslationsNotBuilt(KioskError):
    advice = (
        "Run `make translations` (or any make target): it compiles ui/i18n/kiosk_en.ts into "
        "ui/i18n/kiosk_en.qm."
    )


class MissingTranslation(KioskError):
    advice = (
        "Run `make translations`, give the new line its English in ui/i18n/kiosk_en.ts "
        "(Qt Linguist: pyside6-linguist ui/i18n/kiosk_en.ts) and run `make translations` again."
    )


def load_translator(qm: Path = QM_PATH, ts: Path | None = TS_PATH) -> QTranslator:
    """The compiled English catalogue; refuses a missing file or one older than its ``.ts``."""
    if not qm.is_file():
        raise TranslationsNotBuilt(f"{qm} is missing: the English wording has not been built")
    if ts is not None and ts.is_file() and ts.stat().st_mtime > qm.stat().st_mtime:
        raise TranslationsNotBuilt(f"{qm} is older than {ts.name}: the English is out of date")
    translator = QTranslator()
    if not translator.load(str(qm)):
        raise TranslationsNotBuilt(f"{qm} could not be read as a Qt translation file")
    return translator


_lock = threading.Lock()
_translator: QTranslator | None = None


def _english() -> QTranslator:
    global _translator
    with _lock:
        if _translator is None:
            _translator = load_translator()
        return _translator


def translate(context: str, source: str, disambiguation: str | None = None) -> Bilingual:
    """The Korean source with its English from the compiled catalogue.

    Write the arguments as plain string literals, positionally: that is what lupdate extracts.
    """
    english = _english().translate(context, source, disambiguation)
    if not english:
        raise MissingTranslation(
            f"no English in {QM_PATH.name} for {context!r} {source!r}"
            + (f" ({disambiguation})" if disambiguation else "")
        )
    return Bilingual(source, english)


# --- building: lupdate and lrelease -----------------------------------------------------------


def source_files(root: Path = UI_DIR) -> list[Path]:
    """The Python files lupdate reads: every visitor module under ui/."""
    return sorted(
        p
        for p in root.rglob("*.py")
        if p.relative_to(root).parts[0] not in NOT_SCANNED and "__pycache__" not in p.parts
    )


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise TranslationsNotBuilt(f"{name} not found", advice="Run `make venv` (PySide6).")
    return found


def lupdate(ts: Path = TS_PATH, sources: list[Path] | None = None) -> str:
    """Update ``ts`` from the sources: new wording is added unfinished, vanished wording goes,
    existing English stays. Without line numbers, so the file changes only when wording does."""
    files = [str(p) for p in (sources if sources is not None else source_files())]
    command = [_tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none"]
    command += ["-source-language", "ko", "-target-language", "en", *files, "-ts", str(ts)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stderr


def lrelease(ts: Path = TS_PATH, qm: Path = QM_PATH) -> str:
    command = [_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.i18n", description="lupdate / lrelease")
    parser.add_argument("action", choices=["update", "release"])
    args = parser.parse_args(argv)
    if args.action == "update":
        sys.stderr.write(lupdate())
    else:
        sys.stdout.write(lrelease())
    return 0


if __name__ == "__main__":
    sys.exit(main())
