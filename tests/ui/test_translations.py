"""English through Qt's translation tooling: the committed kiosk_en.ts against the sources (real
pyside6-lupdate), the built .qm (real QTranslator), the real window in English, and guards that
keep visitor wording out of the screens' code."""

from __future__ import annotations

import ast
import os
import re
import shutil
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from test_ui_result_screen import (
    ThreadRuntime,
    pump_until,
    qapp,  # noqa: F401  (a fixture)
    runtime,  # noqa: F401  (a fixture)
    tap,
    visits,  # noqa: F401  (a fixture)
    window,  # noqa: F401  (a fixture)
)

from kiosk.visit_flow import Language, Step
from ui import i18n, texts
from ui.app import KioskWindow
from ui.texts import spoken

REPO_ROOT = Path(__file__).resolve().parents[2]
WORDS = re.compile("[A-Za-z가-힣]")
HANGUL = re.compile("[가-힣]")
# A language's own name reads the same in every language; it is the only wording allowed as a
# Bilingual literal (ui/texts.py LANGUAGE_KO / LANGUAGE_EN).
LANGUAGE_NAMES = {"한국어", "English"}

Key = tuple[str, str, str]  # context, Korean source, disambiguation


def read_ts(path: Path) -> dict[Key, tuple[str, str | None]]:
    """Every message: (context, source, comment) → (translation, its type attribute)."""
    messages: dict[Key, tuple[str, str | None]] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            translation = message.find("translation")
            assert translation is not None, key
            messages[key] = (translation.text or "", translation.get("type"))
    return messages


def ts_problems(committed: Path, sources: list[Path], work: Path) -> list[str]:
    """What lupdate over ``sources`` finds wrong with ``committed``: wording without finished
    English, and a committed file that differs from what the sources give."""
    fresh = work / committed.name
    shutil.copyfile(committed, fresh)
    i18n.lupdate(fresh, sources)
    now, before = read_ts(fresh), read_ts(committed)
    problems = [
        f"no finished English for {source!r} {comment}".rstrip()
        for (_, source, comment), (english, kind) in now.items()
        if not english.strip() or kind is not None
    ]
    problems += [f"not in the committed .ts: {k[1]!r}" for k in now.keys() - before.keys()]
    problems += [
        f"in the .ts but no longer in the code: {k[1]!r}" for k in before.keys() - now.keys()
    ]
    return problems


def placeholders(text: str) -> set[tuple[str, str]]:
    return {
        (field, spec or "")
        for _, field, spec, _ in string.Formatter().parse(text)
        if field is not None
    }


def _where(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else path.name


def scanned_files() -> list[Path]:
    files = i18n.source_files()
    assert REPO_ROOT / "ui" / "texts.py" in files and REPO_ROOT / "ui" / "app.py" in files
    return files


def _is_call_to(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id == name) or (
        isinstance(f, ast.Attribute) and f.attr == name
    )


def inline_wording(path: Path) -> list[str]:
    """Bilingual(...) calls in ``path`` that carry words as string literals."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not _is_call_to(node, "Bilingual"):
            continue
        assert isinstance(node, ast.Call)
        literals = [
            n.value
            for arg in [*node.args, *(k.value for k in node.keywords)]
            for n in ast.walk(arg)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and WORDS.search(n.value)
        ]
        names = len(node.args) == 2 and all(
            isinstance(a, ast.Constant) and a.value in LANGUAGE_NAMES for a in node.args
        )
        if literals and not (names and literals[0] == literals[1]):
            found.append(f"{_where(path)}:{node.lineno}: {literals}")
    return found


def unmarked_calls(path: Path) -> list[str]:
    """translate(...) calls lupdate would not extract exactly as they run."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not _is_call_to(node, "translate"):
            continue
        assert isinstance(node, ast.Call)
        first = node.args[0] if node.args else None
        if isinstance(node.func, ast.Attribute) and not (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        ):
            continue  # QPainter.translate(dx, dy) and the like: lupdate takes nothing from it
        plain = (
            2 <= len(node.args) <= 3
            and not node.keywords
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
        )
        if not plain or not isinstance(first, ast.Constant) or first.value != i18n.CONTEXT:
            found.append(f"{_where(path)}:{node.lineno}: {ast.unparse(node)}")
    return found


# --- the translators' file ---------------------------------------------------------------------


def test_committed_ts_has_english_for_every_visitor_string(tmp_path: Path) -> None:
    problems = ts_problems(i18n.TS_PATH, scanned_files(), tmp_path)
    assert not problems, "run `make translations` and give these English:\n" + "\n".join(problems)
    assert len(read_ts(i18n.TS_PATH)) > 60


def test_a_new_string_without_english_fails(tmp_path: Path) -> None:
    """The check above is not vacuous: new wording and vanished wording are both caught."""
    added = tmp_path / "new_screen.py"
    added.write_text('WORDS = translate("Kiosk", "새로 넣은 문장이에요.")\n', encoding="utf-8")
    problems = ts_problems(i18n.TS_PATH, [*scanned_files(), added], tmp_path)
    assert any("새로 넣은 문장이에요." in p and "no finished English" in p for p in problems)
    assert any("not in the committed .ts" in p for p in problems)
    without_texts = [p for p in scanned_files() if p.name != "texts.py"]
    problems = ts_problems(i18n.TS_PATH, without_texts, tmp_path)
    assert any(repr(texts.START.ko) in p and "no longer in the code" in p for p in problems)


def test_placeholders_match_in_both_languages() -> None:
    messages = read_ts(i18n.TS_PATH)
    with_fields = 0
    for (_, source, _), (english, _) in messages.items():
        assert placeholders(source) == placeholders(english), (source, english)
        with_fields += bool(placeholders(source))
    assert with_fields >= 2  # the countdown and the pulse at least
    assert placeholders("{seconds}초 뒤") != placeholders("in {secs} s")  # the check can fail
    assert texts.countdown_text(25).en.count("25") == 1
    assert "{" not in texts.countdown_text(25).ko + texts.pulse_text(72).en


def test_built_qm_translates_every_source() -> None:
    translator = i18n.load_translator()
    messages = read_ts(i18n.TS_PATH)
    for (context, source, comment), (english, _) in messages.items():
        assert translator.translate(context, source, comment or None) == english, source
    assert texts.WELCOME.en == messages[("Kiosk", texts.WELCOME.ko, "")][0]


def test_missing_or_stale_qm_is_a_typed_error_naming_make(tmp_path: Path) -> None:
    with pytest.raises(i18n.TranslationsNotBuilt) as missing:
        i18n.load_translator(tmp_path / "kiosk_en.qm", i18n.TS_PATH)
    assert "make translations" in missing.value.advice
    ts, qm = tmp_path / "kiosk_en.ts", tmp_path / "kiosk_en.qm"
    shutil.copyfile(i18n.TS_PATH, ts)
    i18n.lrelease(ts, qm)
    assert i18n.load_translator(qm, ts).translate("Kiosk", texts.START.ko) == texts.START.en
    later = qm.stat().st_mtime + 10
    os.utime(ts, (later, later))  # the translators' file changed after the build
    with pytest.raises(i18n.TranslationsNotBuilt, match="older than"):
        i18n.load_translator(qm, ts)
    qm.write_bytes(b"not a qm file")
    with pytest.raises(i18n.TranslationsNotBuilt, match="could not be read"):
        i18n.load_translator(qm, None)
    with pytest.raises(i18n.MissingTranslation) as unknown:
        i18n.translate("Kiosk", "아무 데도 없는 문장")
    assert "make translations" in unknown.value.advice


# --- guards on the code ------------------------------------------------------------------------


def test_no_english_or_korean_literals_in_bilingual_calls() -> None:
    """Visitor wording goes through translate() and the .ts; nobody bypasses it inline."""
    found = [line for path in scanned_files() for line in inline_wording(path)]
    assert not found, (
        'Bilingual(...) with wording in the code; write translate("Kiosk", "한국어") in '
        "ui/texts.py (or run scripts/i18n_adopt.py):\n" + "\n".join(found)
    )


def test_guards_catch_what_they_look_for(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text(
        "a = Bilingual('시작', 'Start')\n"
        "b = Bilingual(f'{n}초', '')\n"
        "c = Bilingual('한국어', '한국어')\n"
        "d = translate('Kiosk', f'{n}초')\n"
        "e = translate(context='Kiosk', source='시작')\n"
        "f = translate('Other', '시작')\n"
        "g = translate('Kiosk', '시작')\n"
        "h = texts.Bilingual(x or '없음', y)\n"
        "painter.translate(dx, dy)\n"
        "rect.translate(0, -shift)\n"
        "i = QCoreApplication.translate('Kiosk', words)\n",
        encoding="utf-8",
    )
    assert [line.split(":")[1] for line in inline_wording(bad)] == ["1", "2", "8"]
    assert [line.split(":")[1] for line in unmarked_calls(bad)] == ["4", "5", "6", "11"]
    assert {line.split(":")[1] for line in hangul_outside_texts(bad)} == {
        str(n) for n in range(1, 9)
    }


def test_every_marked_string_is_a_plain_literal_lupdate_extracts() -> None:
    # lupdate reads Python lexically: keyword arguments and f-strings would be lost or wrong.
    found = [line for path in scanned_files() for line in unmarked_calls(path)]
    assert not found, "\n".join(found)


def hangul_outside_texts(path: Path) -> list[str]:
    """Korean string literals (docstrings aside) in a module other than ui/texts.py."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{_where(path)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and HANGUL.search(node.value)
        and id(node) not in docstrings
    ]


# The speech synthesiser's respellings ("QR" → "큐알"): heard, never shown, and not wording.
SPEECH_ONLY = {"ui/voice/build.py"}


def test_visitor_wording_lives_only_in_texts() -> None:
    """The screens hold no Korean of their own: every visitor sentence is in ui/texts.py, so it
    is in the .ts, and the voice and the English stay in step with it."""
    found = [
        line
        for path in scanned_files()
        if path.name != "texts.py" and _where(path) not in SPEECH_ONLY
        for line in hangul_outside_texts(path)
    ]
    assert not found, "move these to ui/texts.py as translate(...):\n" + "\n".join(found)


# --- the adoption script -----------------------------------------------------------------------


def test_adopt_script_moves_english_into_the_ts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = tmp_path / "kiosk_en.ts"
    shutil.copyfile(i18n.TS_PATH, ts)
    committed = i18n.TS_PATH.read_bytes()
    module = tmp_path / "screen_words.py"
    module.write_text(
        "from __future__ import annotations\n\n"
        "from ui.i18n import Bilingual\n\n"
        "HELLO = Bilingual(\n"
        "    # why it is worded so\n"
        '    "반가워요.\\n천천히 하세요.",\n'
        '    "Hello.\\nTake your time.",\n'
        ")\n"
        'START_AGAIN = Bilingual("시작하기", "Begin")  # Korean already in the .ts: other English\n'
        "\n\n"
        "def minutes(n: int, name: Bilingual) -> Bilingual:\n"
        '    return Bilingual(f"{name.ko} {n}분 남았어요", f"{n} min left for {name.en}")\n'
        "\n\n"
        'SAME = Bilingual("한국어", "한국어")\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "i18n_adopt.py"),
            str(module),
            "--ts",
            str(ts),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert i18n.TS_PATH.read_bytes() == committed  # only the file it was given
    rewritten = module.read_text(encoding="utf-8")
    assert "# why it is worded so" in rewritten
    assert not [line for line in inline_wording_of(rewritten) if "한국어" not in line]
    assert ".format(name=name, n=n)" in rewritten or ".format(n=n, name=name)" in rewritten

    messages = read_ts(ts)
    assert messages[("Kiosk", "반가워요.\n천천히 하세요.", "")] == ("Hello.\nTake your time.", None)
    assert messages[("Kiosk", "시작하기", "START_AGAIN")] == ("Begin", None)
    assert messages[("Kiosk", "시작하기", "")] == (texts.START.en, None)  # untouched
    assert messages[("Kiosk", "{name} {n}분 남았어요", "")] == ("{n} min left for {name}", None)
    translator = i18n.load_translator(ts.with_suffix(".qm"), ts)
    assert translator.translate("Kiosk", "시작하기", "START_AGAIN") == "Begin"

    monkeypatch.setattr(i18n, "_translator", translator)  # the rewritten code runs on it
    namespace: dict[str, Any] = {}
    exec(compile(rewritten, str(module), "exec"), namespace)
    assert namespace["HELLO"] == ("반가워요.\n천천히 하세요.", "Hello.\nTake your time.")
    assert namespace["minutes"](3, texts.START) == ("시작하기 3분 남았어요", "3 min left for Start")
    assert namespace["START_AGAIN"] == ("시작하기", "Begin")
    assert namespace["SAME"] == ("한국어", "한국어")


def inline_wording_of(source: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if _is_call_to(node, "Bilingual"):
            yield ast.unparse(node)


# --- the real window ---------------------------------------------------------------------------


def _visible_texts(win: KioskWindow) -> list[str]:
    strip = win.demo_strip  # the demo operator's labels come from the runtime, not the .ts
    return [
        label.text()
        for label in win.findChildren(QLabel)
        if label.isVisibleTo(win) and label.text() and not (strip and strip.isAncestorOf(label))
    ]


def _english_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for english, _ in read_ts(i18n.TS_PATH).values():
        parts = re.split(r"\{[^{}]*\}", english)
        patterns.append(re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL))
    return patterns


def test_switching_language_shows_the_english_of_the_ts(
    window: KioskWindow,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
) -> None:
    win = window
    messages = read_ts(i18n.TS_PATH)
    english_of = {source: english for (_, source, _), (english, _) in messages.items()}
    assert win.welcome.message.ko.text() == texts.WELCOME.ko  # Korean first...
    assert win.welcome.message.en.text() == english_of[texts.WELCOME.ko]  # ...English under it

    patterns = _english_patterns()

    def from_the_ts(line: str) -> bool:
        return (
            line in LANGUAGE_NAMES
            or not WORDS.search(line)
            or any(p.fullmatch(line) for p in patterns)
        )

    tap(win.welcome.english)
    pump_until(lambda: win.state.language is Language.EN, "English")
    assert win.welcome.message.ko.text() == english_of[texts.WELCOME.ko]
    assert win.start_button.accessibleName() == spoken(english_of[texts.START.ko])
    shown = _visible_texts(win)
    assert len(shown) >= 3 and all(from_the_ts(line) for line in shown), shown

    tap(win.start_button)
    pump_until(lambda: win.state.step is Step.IDENTIFY, "the identify screen")
    pump_until(lambda: win.identify.message.isVisible(), "the identify message")
    assert win.identify.message.ko.text() == english_of[texts.IDENTIFY.ko]
    assert win.identify.guest.accessibleName() == spoken(english_of[texts.GUEST.ko])
    assert win.home_button.accessibleName() == spoken(english_of[texts.HOME.ko])
    assert win.language_button.accessibleName() == "한국어"  # the way back, in its own words
    shown = _visible_texts(win)
    assert len(shown) >= 5 and all(from_the_ts(line) for line in shown), shown
    assert not any(HANGUL.search(line) for line in shown if line != "한국어")

    tap(win.language_button)
    pump_until(lambda: win.state.language is Language.KO, "Korean again")
    assert win.identify.message.ko.text() == texts.IDENTIFY.ko
    assert win.identify.message.en.text() == english_of[texts.IDENTIFY.ko]
