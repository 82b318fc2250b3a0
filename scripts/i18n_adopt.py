"""Move inline English into the translators' file.

Rewrites every ``Bilingual("한국어", "English")`` literal in the given files into the marked
form ``translate("Kiosk", "한국어")`` that pyside6-lupdate extracts, adds the English to
ui/i18n/kiosk_en.ts as a finished translation, and rebuilds kiosk_en.qm::

    .venv/bin/python scripts/i18n_adopt.py              # ui/texts.py
    .venv/bin/python scripts/i18n_adopt.py ui/texts.py ui/other.py
    .venv/bin/python scripts/i18n_adopt.py --check      # report only, change nothing

f-strings become format strings: ``Bilingual(f"맥박 {n}회/분", f"Pulse {n} per minute")`` →
``translate("Kiosk", "맥박 {n}회/분").format(n=n)``. Fields must be plain names, the same in
both languages, or ``x.ko`` / ``x.en`` of a Bilingual ``x`` (it becomes ``{x}``, and
``.format(x=x)`` gives each language its own words). A Korean text already in the .ts with
other English gets a disambiguation (the name of the constant or function it belongs to).
Language names (the same text in both arguments), wording-free formats and calls that are not
two literals are left alone and listed.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import sys
import tokenize
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ui import i18n  # noqa: E402  (needs the repository root on the path)

WORDS = re.compile("[A-Za-z가-힣]")
IMPORT_LINE = "from ui.i18n import translate\n"


@dataclass(frozen=True)
class Literal:
    text: str  # with {name} placeholders for f-string fields
    fields: tuple[str, ...]  # field names in order of first use


@dataclass(frozen=True)
class Conversion:
    start: int  # byte offsets in the file
    end: int
    ko: Literal
    en: Literal
    ko_source: str  # the Korean argument as written, when it is a plain literal
    owner: str  # the constant, function or dict key it belongs to
    line: int
    comments: tuple[str, ...]  # comments inside the call, outside the Korean argument


def _field(node: ast.expr, language: str) -> str | None:
    """A field's placeholder name: a plain name, or ``x.ko`` / ``x.en`` of a Bilingual ``x``
    in its own language (``.format(x=x)`` gives each language its words)."""
    if isinstance(node, ast.Name):
        return node.id
    if (
        isinstance(node, ast.Attribute)
        and node.attr == language
        and isinstance(node.value, ast.Name)
    ):
        return node.value.id
    return None


def _literal(node: ast.expr, language: str) -> Literal | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Literal(node.value, ())
    if not isinstance(node, ast.JoinedStr):
        return None
    text, fields = [], []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text.append(part.value.replace("{", "{{").replace("}", "}}"))
            continue
        if not isinstance(part, ast.FormattedValue) or part.conversion != -1:
            return None
        name = _field(part.value, language)
        if name is None:
            return None  # an expression field: a person must name it
        spec = ""
        if part.format_spec is not None:
            inner = _literal(part.format_spec, language)
            if inner is None or inner.fields:
                return None
            spec = ":" + inner.text
        text.append("{" + name + spec + "}")
        if name not in fields:
            fields.append(name)
    if not fields:  # no .format() call will undo the doubled braces
        return Literal("".join(text).replace("{{", "{").replace("}}", "}"), ())
    return Literal("".join(text), tuple(fields))


def _quoted(text: str) -> str:
    """A double-quoted Python literal that keeps Korean readable."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    body = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in body)
    return f'"{body}"'


def _is_bilingual(call: ast.Call) -> bool:
    f = call.func
    return (isinstance(f, ast.Name) and f.id == "Bilingual") or (
        isinstance(f, ast.Attribute) and f.attr == "Bilingual"
    )


def _owner(node: ast.AST, parents: dict[ast.AST, ast.AST], source: str) -> str:
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values, strict=True):
                if value is child and key is not None:
                    return ast.unparse(key)
        if isinstance(parent, ast.Assign | ast.AnnAssign):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return ", ".join(ast.unparse(t) for t in targets)
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return parent.name
        child, parent = parent, parents.get(parent)
    return "module"


def find(path: Path) -> tuple[list[Conversion], list[str]]:
    """The literals to convert in ``path``, and lines about the ones left alone."""
    source = path.read_text(encoding="utf-8")
    data = source.encode("utf-8")
    starts = [0]  # byte offset of each line: ast columns count UTF-8 bytes
    for line in data.split(b"\n"):
        starts.append(starts[-1] + len(line) + 1)
    tree = ast.parse(source, str(path))
    lines = source.split("\n")
    comments = [
        (starts[row - 1] + len(lines[row - 1][:col].encode("utf-8")), t.string)
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type == tokenize.COMMENT
        for row, col in [t.start]
    ]
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found, left = [], []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_bilingual(node)):
            continue
        assert node.end_lineno is not None and node.end_col_offset is not None
        where = f"{path}:{node.lineno}"
        args = node.args
        ko = _literal(args[0], "ko") if len(args) == 2 and not node.keywords else None
        en = _literal(args[1], "en") if ko is not None else None
        if ko is None or en is None:
            literal_text = any(
                isinstance(n, ast.Constant) and isinstance(n.value, str) and WORDS.search(n.value)
                for n in ast.walk(node)
            )
            if literal_text:
                left.append(f"{where}: not two plain literals (or an expression field): left")
            continue
        words = WORDS.search(re.sub(r"\{[^{}]*\}", "", ko.text + en.text))
        if not en.text or not words or ko.text == en.text:
            why = "the same in both languages" if ko.text == en.text else "no words to translate"
            if ko.text.strip():
                left.append(f"{where}: {ko.text!r}: {why}: left")
            continue
        if set(ko.fields) != set(en.fields):
            left.append(f"{where}: placeholders differ {ko.fields} / {en.fields}: left")
            continue
        arg = args[0]
        assert arg.end_lineno is not None and arg.end_col_offset is not None
        arg_start = starts[arg.lineno - 1] + arg.col_offset
        arg_end = starts[arg.end_lineno - 1] + arg.end_col_offset
        literal = isinstance(arg, ast.Constant)
        ko_source = data[arg_start:arg_end].decode("utf-8") if literal else _quoted(ko.text)
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset
        found.append(
            Conversion(
                start=start,
                end=end,
                comments=tuple(
                    text
                    for at, text in comments
                    if start <= at < end and not (literal and arg_start <= at < arg_end)
                ),
                ko=ko,
                en=en,
                ko_source=ko_source,
                owner=_owner(node, parents, source),
                line=node.lineno,
            )
        )
    return sorted(found, key=lambda c: c.start), left


# --- the .ts -----------------------------------------------------------------------------------

Key = tuple[str, str, str]  # context, source, disambiguation ("" for none)


def read_ts(ts: Path) -> dict[Key, tuple[str, bool]]:
    """(context, source, comment) → (translation, finished)."""
    out: dict[Key, tuple[str, bool]] = {}
    if not ts.is_file():
        return out
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            text = (translation.text or "") if translation is not None else ""
            kind = translation.get("type") if translation is not None else "unfinished"
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            out[key] = (text, kind is None and bool(text))
    return out


def fill_ts(ts: Path, english: dict[Key, str]) -> int:
    """Give unfinished messages of ``ts`` their English; finished ones are the translators'."""
    tree = ET.parse(ts)
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            translation = message.find("translation")
            if key not in english or translation is None:
                continue
            if translation.get("type") is None and translation.text:
                continue
            translation.text = english[key]
            translation.attrib.pop("type", None)
            filled += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return filled


# --- rewriting ---------------------------------------------------------------------------------


def _call(c: Conversion, disambiguation: str) -> str:
    args = [_quoted(i18n.CONTEXT), c.ko_source]
    if disambiguation:
        args.append(_quoted(disambiguation))
    kept = "".join(f"{comment}\n" for comment in c.comments)  # ruff format indents them
    text = f"translate({chr(10) if kept else ''}{kept}{', '.join(args)})"
    if c.ko.fields:
        text += ".format(" + ", ".join(f"{f}={f}" for f in c.ko.fields) + ")"
    return text


def _with_import(source: str) -> str:
    tree = ast.parse(source)
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "ui.i18n"
            and any(a.name == "translate" and a.asname is None for a in node.names)
        ):
            return source
    if any(isinstance(n, ast.FunctionDef) and n.name == "translate" for n in tree.body):
        return source
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    lines = source.splitlines(keepends=True)
    at = imports[-1].end_lineno if imports else 0
    assert at is not None
    return "".join([*lines[:at], IMPORT_LINE, *lines[at:]])


def _ruff(paths: list[Path]) -> None:
    names = [str(p) for p in paths]
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--quiet", "--fix", "--select", "I", *names], check=False)
    subprocess.run([*ruff, "format", "--quiet", *names], check=True)


def adopt(paths: list[Path], ts: Path, *, check: bool = False) -> int:
    known = read_ts(ts)
    english: dict[Key, str] = {}
    changed: list[Path] = []
    for path in paths:
        conversions, left = find(path)
        for line in left:
            print(line)
        if not conversions:
            continue
        calls = []
        for c in conversions:  # in file order, so the first use keeps the plain key
            en = c.en.text
            ko_key = (i18n.CONTEXT, c.ko.text, "")
            taken = english.get(ko_key) or (known.get(ko_key) or ("", False))[0]
            disambiguation = c.owner if taken and taken != en else ""
            english[(i18n.CONTEXT, c.ko.text, disambiguation)] = en
            print(f"{path}:{c.line}: {c.owner}: {c.ko.text!r} → {en!r}")
            calls.append(_call(c, disambiguation).encode("utf-8"))
        data = path.read_bytes()
        for c, call in reversed(list(zip(conversions, calls, strict=True))):
            data = data[: c.start] + call + data[c.end :]
        if not check:
            path.write_text(_with_import(data.decode("utf-8")), encoding="utf-8")
            changed.append(path)
    if check:
        print(f"{len(english)} literal(s) would move to {ts}")
        return 0
    if changed:
        _ruff(changed)
    ts.parent.mkdir(parents=True, exist_ok=True)
    sources = sorted({*i18n.source_files(), *paths})
    i18n.lupdate(ts, sources)
    filled = fill_ts(ts, english)
    i18n.lupdate(ts, sources)  # lupdate's own layout again, for Qt Linguist and diffs
    print(i18n.lrelease(ts, ts.with_suffix(".qm")).strip())
    missing = [k for k, (text, done) in read_ts(ts).items() if not done or not text]
    print(f"{len(changed)} file(s) rewritten, {filled} English line(s) added to {ts}")
    for context, source, comment in missing:
        print(f"still without English: {context} {source!r} {comment}".rstrip())
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Move inline English into kiosk_en.ts.")
    parser.add_argument("files", nargs="*", type=Path, default=[ROOT / "ui" / "texts.py"])
    parser.add_argument("--ts", type=Path, default=i18n.TS_PATH)
    parser.add_argument("--check", action="store_true", help="report only")
    args = parser.parse_args(argv)
    return adopt([p.resolve() for p in args.files], args.ts, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
