"""Speaks the prompt for each step of the visit, with the visitor's volume and mute.

Playback is QMediaPlayer + QAudioOutput: asynchronous, so the GUI thread never waits; a prompt
file is a few hundred kilobytes and Qt loads it in the background. Without an audio output (CI,
offscreen, a kiosk whose speaker is unplugged) the guide stays silent, logs that once, and still
emits :attr:`VoiceGuide.spoken` for what it would have said, so the flow is observable. A device
that appears later (earphones plugged in) is picked up.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QtAudio

from kiosk.visit_flow import FlowState
from ui.voice import manifest
from ui.voice.catalogue import PROMPTS, prompt_for

log = logging.getLogger(__name__)

# Ten steps of the 0–100 scale. On Qt's logarithmic (perceived loudness) scale a step is 2.4
# to 6.5 dB and 10 → 100 spans 33 dB: steps under 18 dB, a range over 18 dB, a level 12 dB
# above the lowest (EN 301 549 8.2.1.1/8.2.1.2, kiosk_ux.md §3). tests/ui/test_voice.py checks.
VOLUME_STEP = 10


def clamp_volume(volume: int) -> int:
    return max(0, min(100, int(volume)))


def gain(volume: int) -> float:
    """The linear amplitude for a 0–100 volume: steps even in loudness as heard."""
    return QtAudio.convertVolume(
        clamp_volume(volume) / 100,
        QtAudio.VolumeScale.LogarithmicVolumeScale,
        QtAudio.VolumeScale.LinearVolumeScale,
    )


class VoiceGuide(QObject):
    """Create on the GUI thread. ``follow`` every FlowState; ``reset`` after each visitor."""

    # key, language ("ko" | "en"), and whether it was audible (False: muted, silent or no device)
    spoken = Signal(str, str, bool)
    volume_changed = Signal(int)
    muted_changed = Signal(bool)

    def __init__(
        self,
        *,
        default_volume: int = 70,
        default_enabled: bool = True,
        prompts_dir: Path = manifest.PROMPTS_DIR,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._prompts_dir = prompts_dir
        self._default_volume = clamp_volume(default_volume)
        self._default_enabled = default_enabled
        self._volume = self._default_volume
        self._muted = not default_enabled
        # What is on screen: (prompt key, language, number of results), and the warning.
        self._cue: tuple[str, str, int] | None = None
        self._warned = False
        self._last: tuple[str, str] | None = None
        self._player: QMediaPlayer | None = None
        self._queue: list[Path] = []
        self._output: QAudioOutput | None = None
        self._has_output = False
        self._told_silent = False
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        self._on_outputs_changed()

    # --- state -----------------------------------------------------------------------------
    @property
    def volume(self) -> int:
        return self._volume

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def has_output(self) -> bool:
        return self._has_output

    @property
    def last_prompt(self) -> tuple[str, str] | None:
        """(key, language) of the last prompt asked for, audible or not."""
        return self._last

    def set_defaults(self, volume: int, enabled: bool) -> None:
        """The kiosk's settings, applied at the next :meth:`reset`."""
        self._default_volume = clamp_volume(volume)
        self._default_enabled = enabled

    def reset(self) -> None:
        """Back to the kiosk's volume and voice setting: each visitor starts there (검증기준 5)."""
        self.stop()
        self._cue, self._warned, self._last = None, False, None
        self._set_volume(self._default_volume)
        self._set_muted(not self._default_enabled)

    # --- the visitor's controls ----------------------------------------------------------------
    def set_volume(self, volume: int) -> None:
        self._set_volume(volume)
        self.replay()  # hear the new level at once

    def volume_up(self) -> None:
        if self._muted:
            self._set_muted(False)
        self.set_volume(self._volume + VOLUME_STEP)

    def volume_down(self) -> None:
        # Never down to nothing: a visitor who hears nothing cannot tell silence from a fault;
        # "소리 끄기" is the way to silence.
        self.set_volume(max(min(self._volume, VOLUME_STEP), self._volume - VOLUME_STEP))

    def set_muted(self, muted: bool) -> None:
        self._set_muted(muted)
        if muted:
            self.stop()
        else:
            if self._volume == 0:
                self._set_volume(VOLUME_STEP)
            self.replay()

    def toggle_mute(self) -> None:
        self.set_muted(not self._muted)

    def replay(self) -> None:
        if self._last is not None:
            self.say(*self._last)

    def stop(self) -> None:
        self._queue = []
        if self._player is not None:
            self._player.stop()

    # --- following the flow --------------------------------------------------------------------
    def follow(self, state: FlowState) -> None:
        """Speak when what the screen asks changes: a new step, a new result, a new language, or
        the idle warning appearing. Coming back from the warning does not repeat the step."""
        key = prompt_for(state)
        language = state.language.value
        if state.countdown_s is not None:
            if not self._warned:
                self._warned = True
                self.say(key, language)
            return
        self._warned = False
        cue = (key, language, len(state.results))
        if cue != self._cue:
            self._cue = cue
            self.say(key, language)

    def say(self, key: str, language: str) -> None:
        if key not in PROMPTS:
            raise KeyError(f"no prompt {key!r}")
        self._last = (key, language)
        audible = self._play([self._path(clip, language) for clip in PROMPTS[key]])
        self.spoken.emit(key, language, audible)

    # --- playback --------------------------------------------------------------------------------
    def _path(self, clip: str, language: str) -> Path:
        return self._prompts_dir / manifest.file_name(clip, language)

    def _play(self, paths: list[Path]) -> bool:
        """Start the first clip; the rest follow as each ends (``_on_status``)."""
        self.stop()
        if not self._has_output or self._player is None or self._muted or self._volume == 0:
            return False
        for path in paths:
            if not path.exists():
                log.warning("voice clip %s is missing; run make voice", path.name)
        self._queue = [path for path in paths if path.exists()]
        return self._next()

    def _next(self) -> bool:
        if self._player is None or not self._queue:
            return False
        self._player.setSource(QUrl.fromLocalFile(str(self._queue.pop(0))))
        self._player.play()
        return True

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status is QMediaPlayer.MediaStatus.EndOfMedia and self._queue:
            # Not from inside the player's own signal: start the next clip on the next turn.
            QTimer.singleShot(0, self, self._next)

    def _set_volume(self, volume: int) -> None:
        volume = clamp_volume(volume)
        changed = volume != self._volume
        self._volume = volume
        if self._output is not None:
            self._output.setVolume(gain(volume))
        if changed:
            self.volume_changed.emit(volume)

    def _set_muted(self, muted: bool) -> None:
        changed = muted != self._muted
        self._muted = muted
        if changed:
            self.muted_changed.emit(muted)

    def _on_outputs_changed(self) -> None:
        device = QMediaDevices.defaultAudioOutput()
        self._has_output = not device.isNull()
        if device.isNull():
            self.stop()
            if not self._told_silent:
                self._told_silent = True
                log.warning("no audio output: voice guidance is silent until one appears")
            if self._output is not None:
                self._output.setDevice(device)
            return
        if self._player is None or self._output is None:
            self._output = QAudioOutput(device, self)
            self._player = QMediaPlayer(self)
            self._player.setAudioOutput(self._output)
            self._player.errorOccurred.connect(self._on_error)
            self._player.mediaStatusChanged.connect(self._on_status)
        else:
            # Earphones plugged in become the default output: the speaker goes quiet.
            self._output.setDevice(device)
        self._output.setVolume(gain(self._volume))
        log.info("voice guidance plays on %s", device.description())

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        log.warning("voice prompt could not play (%s): %s", error.name, message)
