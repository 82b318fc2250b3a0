"""The serial part of a device profile: ``[match]``, ``[procedure]``, ``[quirks]``.

``[match]``: ``usb_ids = ["067b:2303"]`` (VID:PID of the cable, hex). Many meters share the
same USB-serial chips, so a port may match several profiles; staff pick one
(``kiosk devices ports`` shows every candidate).

``[procedure]``: ``protocol`` = tanita | otultra2 | caresens3 | sdcodefree | line;
line settings ``baudrate``, ``bytesize``, ``parity`` (N/E/O), ``stopbits``; ``timeout_s`` for
one session. For ``line`` (a device without a public specification) also ``unit``,
``delimiter`` (record terminator, TOML escapes such as "\\r\\n"), optional ``encoding``,
``record_pattern`` (regex a record must contain), ``csv_separator`` (then fields use
``column``), and ``[[procedure.field]]`` tables: ``name`` (a reading field, see
``devices.serial.lineproto.FIELDS``), ``regex`` (first group is the number) or ``column``
(0-based), optional ``scale``.

``[quirks]``: ``pushes`` (device sends on its own after a measurement), ``notes``.

Examples: ``text`` (record as text) or ``hex``; optional ``reading`` (index, for protocols that
give several readings per frame); ``expect`` (decoded keys, as ``kiosk devices decode``) or
``expect_error`` (error class name). Must-not-match entries: ``usb_id``, ``text`` or ``hex``;
every given criterion must hold for the profile to claim it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from devices.errors import DecodeError
from devices.profiles.schema import (
    Profile,
    SourceRef,
    check_keys,
    opt_bool,
    opt_str,
    opt_str_list,
    req_str,
    table,
    table_list,
)
from devices.reading_json import reading_to_json
from devices.readings import AnyReading, DeviceIdentity
from devices.serial import caresens, otultra2, sdcodefree, tanita
from devices.serial.drivers import (
    CareSensDriver,
    OneTouchUltra2Driver,
    PushDriver,
    SdCodeFreeDriver,
    SessionResult,
)
from devices.serial.framing import LineFramer
from devices.serial.lineproto import FIELDS, UNITS, FieldMap, LineProtocol, decode_line_record
from devices.serial.transport import LineSettings, SerialTransport

__all__ = [
    "PROTOCOLS",
    "SerialMatch",
    "SerialProcedure",
    "SerialQuirks",
    "SerialSection",
    "decode_example",
    "decode_frame",
    "driver_for",
    "matches",
    "parse_section",
    "profiles_for_usb_id",
]

PROTOCOLS = ("tanita", "otultra2", "caresens3", "sdcodefree", "line")
_USB_ID = re.compile(r"[0-9a-fA-F]{4}:[0-9a-fA-F]{4}")
_PROCEDURE_KEYS = {
    "protocol",
    "baudrate",
    "bytesize",
    "parity",
    "stopbits",
    "timeout_s",
    "unit",
    "delimiter",
    "encoding",
    "record_pattern",
    "csv_separator",
    "field",
}
_FIELD_KEYS = {"name", "regex", "column", "scale"}
_EXAMPLE_KEYS = {"text", "hex", "reading", "expect", "expect_error", "note"}


@dataclass(frozen=True, slots=True)
class SerialMatch:
    usb_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SerialProcedure:
    protocol: str
    settings: LineSettings
    timeout_s: float
    line: LineProtocol | None


@dataclass(frozen=True, slots=True)
class SerialQuirks:
    pushes: bool
    notes: str


@dataclass(frozen=True, slots=True)
class SerialSection:
    match: SerialMatch
    procedure: SerialProcedure
    quirks: SerialQuirks


def _int(doc: Mapping[str, Any], key: str, default: int, where: SourceRef, ctx: str) -> int:
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise where.error("must be a positive integer", f"{ctx}.{key}")
    return value


def _regex(text: str, where: SourceRef, field: str, *, groups: int = 0) -> re.Pattern[str]:
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise where.error(f"not a regular expression: {exc}", field) from None
    if pattern.groups < groups:
        raise where.error("needs a (group) around the number", field)
    return pattern


def _line_protocol(proc: Mapping[str, Any], kind: str, where: SourceRef) -> LineProtocol:
    ctx = "procedure"
    unit = req_str(proc, "unit", where, ctx)
    if unit not in UNITS[kind]:
        raise where.error(f"{unit!r} is not one of {', '.join(UNITS[kind])}", "procedure.unit")
    delimiter = proc.get("delimiter")
    if not isinstance(delimiter, str) or not delimiter:  # whitespace such as CR LF is normal
        raise where.error("required non-empty string", "procedure.delimiter")
    encoding = opt_str(proc, "encoding", where, ctx, "ascii")
    try:
        "".encode(encoding)
    except LookupError:
        raise where.error(f"unknown encoding {encoding!r}", "procedure.encoding") from None
    sep = proc.get("csv_separator")
    if sep is not None and (not isinstance(sep, str) or not sep):
        raise where.error("must be a non-empty string", "procedure.csv_separator")
    record = proc.get("record_pattern")
    if record is not None and not isinstance(record, str):
        raise where.error("must be a string", "procedure.record_pattern")
    required, optional = FIELDS[kind]
    fields: list[FieldMap] = []
    for i, f in enumerate(table_list(proc, "field", where)):
        fctx = f"procedure.field[{i}]"
        check_keys(f, _FIELD_KEYS, where, fctx)
        name = req_str(f, "name", where, fctx)
        if name not in required + optional:
            raise where.error(
                f"{name!r} is not a {kind} field ({', '.join(required + optional)})",
                f"{fctx}.name",
            )
        scale = f.get("scale", 1.0)
        if not isinstance(scale, int | float) or isinstance(scale, bool) or scale == 0:
            raise where.error("must be a non-zero number", f"{fctx}.scale")
        if ("regex" in f) == ("column" in f):
            raise where.error("give exactly one of regex or column", fctx)
        if "regex" in f:
            pattern = _regex(req_str(f, "regex", where, fctx), where, f"{fctx}.regex", groups=1)
            fields.append(FieldMap(name, regex=pattern, scale=float(scale)))
        else:
            if sep is None:
                raise where.error("column needs procedure.csv_separator", f"{fctx}.column")
            column = f["column"]
            if not isinstance(column, int) or isinstance(column, bool) or column < 0:
                raise where.error("must be a 0-based column number", f"{fctx}.column")
            fields.append(FieldMap(name, column=column, scale=float(scale)))
    names = [f.name for f in fields]
    missing = [n for n in required if n not in names]
    if missing:
        raise where.error(f"a {kind} profile must map {', '.join(missing)}", "procedure.field")
    return LineProtocol(
        kind=kind,
        unit=unit,
        fields=tuple(fields),
        delimiter=delimiter.encode(encoding),
        csv_separator=sep,
        encoding=encoding,
        record_pattern=None
        if record is None
        else _regex(record, where, "procedure.record_pattern"),
    )


def parse_section(doc: Mapping[str, Any], where: SourceRef) -> SerialSection:
    kind = doc["profile"]["kind"]  # validated by schema.parse_common before this runs
    match_doc = table(doc, "match", where)
    check_keys(match_doc, {"usb_ids"}, where, "[match]")
    usb_ids = opt_str_list(match_doc, "usb_ids", where, "match")
    for usb in usb_ids:
        if not _USB_ID.fullmatch(usb):
            raise where.error(f"{usb!r} is not VVVV:PPPP hex", "match.usb_ids")
    proc = table(doc, "procedure", where)
    check_keys(proc, _PROCEDURE_KEYS, where, "[procedure]")
    protocol = req_str(proc, "protocol", where, "procedure")
    if protocol not in PROTOCOLS:
        raise where.error(
            f"{protocol!r} is not one of {', '.join(PROTOCOLS)}", "procedure.protocol"
        )
    if protocol != "line":
        extra = sorted(
            set(proc)
            & (
                _PROCEDURE_KEYS
                - {"protocol", "baudrate", "bytesize", "parity", "stopbits", "timeout_s"}
            )
        )
        if extra:
            raise where.error(f"only for protocol = 'line': {', '.join(extra)}", "[procedure]")
    try:
        settings = LineSettings(
            baudrate=_int(proc, "baudrate", 9600, where, "procedure"),
            bytesize=_int(proc, "bytesize", 8, where, "procedure"),
            parity=opt_str(proc, "parity", where, "procedure", "N"),
            stopbits=_int(proc, "stopbits", 1, where, "procedure"),
        )
    except ValueError as exc:
        raise where.error(str(exc), "procedure") from None
    timeout = proc.get("timeout_s", 60)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise where.error("must be a positive number of seconds", "procedure.timeout_s")
    quirks_doc = table(doc, "quirks", where, required=False)
    check_keys(quirks_doc, {"pushes", "notes"}, where, "[quirks]")
    line = _line_protocol(proc, kind, where) if protocol == "line" else None
    section = SerialSection(
        match=SerialMatch(tuple(u.lower() for u in usb_ids)),
        procedure=SerialProcedure(protocol, settings, float(timeout), line),
        quirks=SerialQuirks(
            pushes=opt_bool(quirks_doc, "pushes", where, "quirks", protocol in ("tanita", "line")),
            notes=opt_str(quirks_doc, "notes", where, "quirks"),
        ),
    )
    for i, example in enumerate(table_list(doc, "example", where)):
        check_keys(example, _EXAMPLE_KEYS, where, f"example[{i}]")
        if ("text" in example) == ("hex" in example):
            raise where.error("give exactly one of text or hex", f"example[{i}]")
    return section


def _section(profile: Profile) -> SerialSection:
    if not isinstance(profile.section, SerialSection):
        raise TypeError(f"{profile.id} is not a serial profile")
    return profile.section


def decode_frame(profile: Profile, raw: bytes, device: DeviceIdentity) -> list[AnyReading]:
    """Readings in one frame as this profile's protocol frames it (terminator optional)."""
    proc = _section(profile).procedure
    if proc.protocol == "tanita":
        return list(tanita.decode_tanita_record(raw, device).readings())
    if proc.protocol == "otultra2":
        return [otultra2.decode_dump_record(raw, device)]
    if proc.protocol == "caresens3":
        frame = caresens.decode_frame(raw)
        return list(caresens.decode_glue_records(frame.payload, device))
    if proc.protocol == "sdcodefree":
        return [sdcodefree.decode_reading(sdcodefree.decode_packet(raw), device)]
    assert proc.line is not None
    body = raw[: -len(proc.line.delimiter)] if raw.endswith(proc.line.delimiter) else raw
    return [decode_line_record(proc.line, body, device)]


def _example_bytes(example: Mapping[str, Any]) -> bytes:
    if "hex" in example:
        return bytes.fromhex(str(example["hex"]))
    return str(example.get("text", "")).encode("latin-1")


_EXAMPLE_DEVICE = DeviceIdentity(address="example", transport="serial")


def decode_example(profile: Profile, example: Mapping[str, Any]) -> dict[str, Any]:
    readings = decode_frame(profile, _example_bytes(example), _EXAMPLE_DEVICE)
    index = int(example.get("reading", 0))
    if not 0 <= index < len(readings):
        raise DecodeError(
            f"example asks for reading {index}, the frame holds {len(readings)}",
            characteristic=f"serial:{_section(profile).procedure.protocol}",
            raw=_example_bytes(example),
        )
    return reading_to_json(readings[index])


def matches(profile: Profile, candidate: Mapping[str, Any]) -> bool:
    if profile.transport != "serial":
        return False
    section = _section(profile)
    checked = False
    if "usb_id" in candidate:
        checked = True
        if str(candidate["usb_id"]).lower() not in section.match.usb_ids:
            return False
    if "text" in candidate or "hex" in candidate:
        checked = True
        try:
            decode_frame(profile, _example_bytes(candidate), _EXAMPLE_DEVICE)
        except DecodeError:
            return False
    return checked


def profiles_for_usb_id(profiles: tuple[Profile, ...], usb_id: str | None) -> list[str]:
    if usb_id is None:
        return []
    return [p.id for p in profiles if matches(p, {"usb_id": usb_id})]


class SessionDriver(Protocol):
    def read_session(self, timeout: float) -> SessionResult: ...


def driver_for(profile: Profile, transport: SerialTransport) -> SessionDriver:
    """The driver this profile's protocol needs, reading through ``transport``."""
    proc = _section(profile).procedure
    if proc.protocol == "otultra2":
        return OneTouchUltra2Driver(transport)
    if proc.protocol == "caresens3":
        return CareSensDriver(transport)
    if proc.protocol == "sdcodefree":
        return SdCodeFreeDriver(transport)
    delimiter = proc.line.delimiter if proc.line is not None else b"\r\n"
    return PushDriver(
        transport,
        lambda raw, dev: decode_frame(profile, raw, dev),
        framer=lambda: LineFramer(delimiter),
        model=profile.name,
        start_marker=b"{0," if proc.protocol == "tanita" else b"",
    )
