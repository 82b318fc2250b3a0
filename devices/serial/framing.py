"""Checksums and incremental framers. Framers take bytes in arbitrary chunks (frames may be
split across reads) and return complete frames; bytes that cannot start a frame are counted in
``discarded`` so noise is visible, not silently lost."""

from __future__ import annotations

from collections.abc import Callable


def sum8(data: bytes) -> int:
    return sum(data) & 0xFF


def sum16(data: bytes) -> int:
    return sum(data) & 0xFFFF


def xor8(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def crc16_ccitt_false(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR."""
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


class LineFramer:
    """Frames ending in ``terminator`` (e.g. CR LF). Lines longer than ``max_len`` are dropped."""

    def __init__(self, terminator: bytes = b"\r\n", *, max_len: int = 4096) -> None:
        if not terminator:
            raise ValueError("terminator must not be empty")
        self.terminator = terminator
        self.max_len = max_len
        self._buf = bytearray()
        self.discarded = 0

    @property
    def pending(self) -> bytes:
        return bytes(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames: list[bytes] = []
        while True:
            end = self._buf.find(self.terminator)
            if end < 0:
                break
            frames.append(bytes(self._buf[:end]))
            del self._buf[: end + len(self.terminator)]
        if len(self._buf) > self.max_len:
            self.discarded += len(self._buf)
            self._buf.clear()
        return frames


class LengthFramer:
    """Frames that begin with ``start``, carry a length byte at ``length_index`` and end with
    ``end``; ``total(length_byte)`` gives the whole frame size. A candidate whose end byte is
    wrong is treated as noise: one byte is dropped and the search resumes (resynchronisation)."""

    def __init__(
        self,
        start: bytes,
        *,
        length_index: int,
        total: Callable[[int], int],
        end: bytes,
        max_len: int = 1024,
    ) -> None:
        self.start = start
        self.length_index = length_index
        self.total = total
        self.end = end
        self.max_len = max_len
        self._buf = bytearray()
        self.discarded = 0

    @property
    def pending(self) -> bytes:
        return bytes(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames: list[bytes] = []
        while True:
            at = self._buf.find(self.start)
            if at < 0:
                # Keep a tail that may be the beginning of ``start``.
                keep = len(self.start) - 1
                drop = max(0, len(self._buf) - keep)
                self.discarded += drop
                del self._buf[:drop]
                break
            self.discarded += at
            del self._buf[:at]
            if len(self._buf) <= self.length_index:
                break
            size = self.total(self._buf[self.length_index])
            if size < self.length_index + 1 + len(self.end) or size > self.max_len:
                self.discarded += 1
                del self._buf[:1]
                continue
            if len(self._buf) < size:
                break
            if bytes(self._buf[size - len(self.end) : size]) != self.end:
                self.discarded += 1
                del self._buf[:1]
                continue
            frames.append(bytes(self._buf[:size]))
            del self._buf[:size]
        return frames


class FixedLengthFramer:
    """Fixed-size packets that begin with ``start`` (e.g. 8-byte ``0x51 …`` packets)."""

    def __init__(self, size: int, *, start: bytes) -> None:
        self.size = size
        self.start = start
        self._buf = bytearray()
        self.discarded = 0

    @property
    def pending(self) -> bytes:
        return bytes(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames: list[bytes] = []
        while True:
            at = self._buf.find(self.start)
            if at < 0:
                drop = max(0, len(self._buf) - (len(self.start) - 1))
                self.discarded += drop
                del self._buf[:drop]
                break
            self.discarded += at
            del self._buf[:at]
            if len(self._buf) < self.size:
                break
            frames.append(bytes(self._buf[: self.size]))
            del self._buf[: self.size]
        return frames


Framer = LineFramer | LengthFramer | FixedLengthFramer
