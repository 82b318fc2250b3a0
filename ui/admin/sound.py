"""The alert chime: a short, calm two-tone sound when a crisis reading reaches staff.

The WAV is committed next to this module (``chime.wav``, 16 kHz mono 16-bit, ~30 kB) and is
exactly what :func:`render_chime` writes, so it can be rebuilt and checked
(``python -m ui.admin.sound``). Without an audio output (a kiosk with no speaker, offscreen
tests) the chime is silent: ``requested`` still fires, so the rest of the kiosk and the tests
see that a sound was asked for.
"""

from __future__ import annotations

import logging
import math
import struct
import sys
import wave
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal

log = logging.getLogger(__name__)

CHIME = Path(__file__).with_name("chime.wav")
RATE = 16_000
# Two falling tones (E6 → C6): a doorbell, not an alarm; nothing a visitor takes for a siren.
_TONES = ((1318.5, 0.0, 0.45), (1046.5, 0.35, 0.6))
_LENGTH_S = 0.95
_VOLUME = 0.45


def chime_samples() -> list[int]:
    n = int(RATE * _LENGTH_S)
    out = []
    for i in range(n):
        t = i / RATE
        v = 0.0
        for freq, start, length in _TONES:
            if start <= t < start + length:
                age = t - start
                attack = min(1.0, age / 0.01)  # 10 ms: no click
                v += attack * math.exp(-age * 6.0) * math.sin(2 * math.pi * freq * age)
        out.append(round(max(-1.0, min(1.0, v * _VOLUME)) * 32767))
    return out


def render_chime(path: Path = CHIME) -> Path:
    samples = chime_samples()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


class AlertSound(QObject):
    """Plays the chime if the kiosk has a speaker. ``requested`` carries the measurement id
    of the alert (the alert log's own id is assigned on the runtime thread)."""

    requested = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

        self.available = bool(QMediaDevices.audioOutputs())
        self._effect: QSoundEffect | None = None
        if self.available:
            self._effect = QSoundEffect(self)
            self._effect.setSource(QUrl.fromLocalFile(str(CHIME)))  # loads asynchronously
            self._effect.setVolume(0.8)
        else:
            log.info("no audio output: staff alerts are shown without the chime")

    def play(self, measurement_id: str) -> None:
        self.requested.emit(measurement_id)
        if self._effect is not None:
            self._effect.play()


if __name__ == "__main__":
    print(render_chime(Path(sys.argv[1]) if len(sys.argv) > 1 else CHIME))
