"""Device behaviours for the pty simulator: what each device sends and answers.

``push()`` is what a device sends on its own after a measurement; ``answer(data)`` replies to
host bytes; ``corrupt(out)`` damages an output while keeping its stated checksum.
"""

from __future__ import annotations

from devices.serial import caresens, otultra2, sdcodefree, tanita
from devices.serial.framing import LengthFramer

__all__ = ["SIMULATORS", "SimDevice"]


class SimDevice:
    def push(self) -> bytes:
        return b""

    def answer(self, data: bytes) -> list[bytes]:
        return []

    def corrupt(self, out: bytes) -> bytes:
        # Default: flip the lowest bit of a byte in the middle of the payload.
        at = len(out) // 2
        return out[:at] + bytes([out[at] ^ 0x01]) + out[at + 1 :]


class TanitaSim(SimDevice):
    """SC-240 style; pushes a record after each measurement, ready or not."""

    def __init__(self) -> None:
        self.count = 0

    def push(self) -> bytes:
        self.count += 1
        return tanita.encode_tanita_record(
            [
                ("{0", "16"),
                ("~0", "1"),
                ("~1", "1"),
                ("~2", "1"),
                ("MO", '"SC-240"'),
                ("SN", '"SIM00001"'),
                ("Bt", "0"),
                ("GE", "1"),
                ("AG", "70"),
                ("Hm", "165"),
                ("Pt", "0.0"),
                ("Wk", f"{64.0 + self.count / 10:.1f}"),
                ("FW", "24.5"),
                ("MW", "48.3"),
                ("mW", "45.9"),
                ("wW", "35.4"),
                ("MI", "23.5"),
                ("rb", "5820"),
                ("ZF", "480.2"),
            ]
        )

    def corrupt(self, out: bytes) -> bytes:
        return out.replace(b"FW,24.5", b"FW,24.6")


class OneTouchUltra2Sim(SimDevice):
    RECORDS = (
        ('"WED"', "12/02/26", "08:15:00", " ", 104, "B", "00"),
        ('"WED"', "12/02/26", "19:02:41", " ", 162, "A", "02"),
    )

    def __init__(self) -> None:
        self._buf = b""

    def answer(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while b"\r" in self._buf:
            cmd, self._buf = self._buf.split(b"\r", 1)
            cmd = cmd.lstrip(b"\x11")
            if cmd == b"DMP":
                dump = otultra2.encode_reply_line(f'P {len(self.RECORDS):03d},"SIM12345Y","MG/DL "')
                for day, date, hms, ctl, value, meal, comment in self.RECORDS:
                    dump += b"\n" + otultra2.encode_reply_line(
                        f'P {day},"{date}","{hms}   ","{ctl} {value:03d} ","{meal}","{comment}", 00'
                    )
                out.append(dump + b"\n")
            elif cmd == b"DM?":
                out.append(otultra2.encode_reply_line("?P02.00.00 30/08/06") + b"\n")
            elif cmd == b"DM@":
                out.append(otultra2.encode_reply_line('@ "SIM12345Y"') + b"\n")
        return out

    def corrupt(self, out: bytes) -> bytes:
        return out.replace(b" 162 ", b" 163 ")


class CareSensSim(SimDevice):
    """Protocol 3. Reply frames mirror the request layout [derived]; GLUE CRC left zero."""

    RECORDS = (
        bytes([26, 12, 4, 7, 5, 9, 0x10]) + (98).to_bytes(2, "big"),
        bytes([26, 12, 4, 12, 30, 0, 0x02]) + (171).to_bytes(2, "big"),
    )

    def __init__(self) -> None:
        self._framer: LengthFramer = caresens.framer()

    def answer(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        if caresens.PROBE in data and not self._framer.pending:
            out.append(b"\x2e")
            data = data.replace(caresens.PROBE, b"")
        for raw in self._framer.feed(data):
            frame = caresens.decode_frame(raw)
            if frame.command == "NCOT":
                out.append(caresens.encode_frame("NCOT", len(self.RECORDS).to_bytes(2, "big")))
            elif frame.command == "GLUE":
                start, n = int.from_bytes(frame.payload[:2], "big"), frame.payload[2]
                body = b"".join(self.RECORDS[start - 1 : start - 1 + n])
                out.append(caresens.encode_frame("GLUE", body)[:-3] + b"\x00\x00\x03")
        return out


class SdCodeFreeSim(SimDevice):
    RECORDS = ((26, 12, 4, 8, 45, 180, 0x20), (26, 12, 4, 6, 30, 95, 0x10))

    def __init__(self) -> None:
        self._framer = sdcodefree.framer(sdcodefree.TO_METER)
        self._next = 0

    def push(self) -> bytes:
        self._next = 0
        return sdcodefree.encode_packet(b"\x10\x30", direction=sdcodefree.TO_HOST)

    def answer(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        for raw in self._framer.feed(data):
            msg = sdcodefree.decode_packet(raw).message
            if msg == sdcodefree.CHALLENGE_ACK:
                body = b"\x30" + len(self.RECORDS).to_bytes(2, "big") + b"\xaa" * 19
                out.append(sdcodefree.encode_packet(body, direction=sdcodefree.TO_HOST))
            elif msg == sdcodefree.FETCH and self._next < len(self.RECORDS):
                yy, mo, dd, hh, mi, value, meal = self.RECORDS[self._next]
                self._next += 1
                body = b"\x00\x00" + bytes([yy, mo, dd, hh, mi]) + value.to_bytes(2, "big")
                out.append(
                    sdcodefree.encode_packet(
                        body + bytes([meal]) + b"\x00" * 7, direction=sdcodefree.TO_HOST
                    )
                )
        return out


class KeyValueBpSim(SimDevice):
    """Speaks the illustrative format of the ``example_bp_keyvalue`` profile (not a real device)."""

    def push(self) -> bytes:
        return b"SYS=131,DIA=084,PUL=068,MAP=100\r\n"

    def corrupt(self, out: bytes) -> bytes:
        return out.replace(b"DIA=084", b"DIA=0x4")


SIMULATORS: dict[str, type[SimDevice]] = {
    "tanita": TanitaSim,
    "otultra2": OneTouchUltra2Sim,
    "caresens": CareSensSim,
    "sdcodefree": SdCodeFreeSim,
    "example_bp": KeyValueBpSim,
}
