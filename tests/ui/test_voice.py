"""Voice guidance: which prompt each screen says, the committed audio and its manifest, the
guide's volume, mute and reset, and the speaker controls on the real window (Qt offscreen, a real
VisitManager on SQLite, no audio device: the guide is silent and reports what it would say)."""

from __future__ import annotations

import array
import dataclasses
import itertools
import logging
import math
import re
import shutil
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, QRect, QUrl
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer
from PySide6.QtWidgets import QApplication, QPushButton
from test_ui_result_screen import (
    LANDSCAPE,
    PORTRAIT,
    ThreadRuntime,
    assert_fits,
    bp,
    pump_until,
    qapp,  # noqa: F401  (a fixture)
    runtime,  # noqa: F401  (a fixture)
    shown_window,
    tap,
    visits,  # noqa: F401  (a fixture)
    window,  # noqa: F401  (a fixture)
)

from kiosk.session import MEASURE_AGAIN_KO, BpResult, VisitManager, VisitorKind
from kiosk.settings import SettingsStore
from kiosk.visit_flow import (
    WARNING_S,
    FlowState,
    Guide,
    Language,
    MeasureKind,
    Step,
    SyncState,
)
from ui import texts
from ui.app import KioskWindow
from ui.guidance import live_text
from ui.voice import build, manifest
from ui.voice.build import respell, respell_ko
from ui.voice.catalogue import CLIPS, LANGUAGES, PROMPTS, prompt_for, sentence, spoken_text
from ui.voice.guide import VOLUME_STEP, VoiceGuide, gain

pytestmark = pytest.mark.qt
HANGUL = re.compile("[가-힣]")
Spoken = list[tuple[str, str, bool]]


def listen(guide: VoiceGuide) -> Spoken:
    heard: Spoken = []
    guide.spoken.connect(lambda key, language, audible: heard.append((key, language, audible)))
    return heard


@pytest.fixture
def bp_result(visits: VisitManager) -> BpResult:  # noqa: F811
    visits.start_visit(VisitorKind.GUEST)
    visits.give_consent()
    result = visits.handle_reading(bp(124, 79))
    assert isinstance(result, BpResult)
    return result


@pytest.fixture
def guide(qapp: QApplication) -> Iterator[VoiceGuide]:  # noqa: F811
    voice = VoiceGuide(default_volume=60, default_enabled=True)
    try:
        yield voice
    finally:
        voice.stop()
        voice.deleteLater()


# --- which prompt each screen says --------------------------------------------------------
def test_every_step_guide_state_and_warning_has_its_prompt(bp_result: BpResult) -> None:
    base = FlowState()
    cases: list[tuple[FlowState, str]] = [
        (base, "welcome"),
        (dataclasses.replace(base, language=Language.EN), "welcome"),
        (dataclasses.replace(base, step=Step.IDENTIFY), "identify"),
        (dataclasses.replace(base, step=Step.IDENTIFY, identify_error="member"), "number_wrong"),
        (dataclasses.replace(base, step=Step.IDENTIFY, identify_error="qr"), "qr_wrong"),
        (
            dataclasses.replace(base, step=Step.CONSENT, visitor_kind=VisitorKind.CITIZEN_APP),
            "consent_citizen",
        ),
        (
            dataclasses.replace(base, step=Step.CONSENT, visitor_kind=VisitorKind.GUEST),
            "consent_guest",
        ),
        (dataclasses.replace(base, step=Step.CHOOSE), "choose"),
        (dataclasses.replace(base, step=Step.MEASURE, chosen=()), "choose"),
        (dataclasses.replace(base, step=Step.RESULTS), "results_empty"),
        (dataclasses.replace(base, step=Step.RESULTS, results=(bp_result,)), "results"),
        (dataclasses.replace(base, step=Step.FINISH), "finish_empty"),
        (
            dataclasses.replace(
                base, step=Step.FINISH, visitor_kind=VisitorKind.GUEST, results=(bp_result,)
            ),
            "finish_kept",
        ),
        (dataclasses.replace(base, step=Step.STAFF), "staff"),
        # The warning comes first, whatever the screen under it.
        (dataclasses.replace(base, step=Step.RESULTS, countdown_s=25), "countdown"),
    ]
    finish = {
        SyncState.KEPT_HERE: "finish_kept",
        SyncState.SENDING: "finish_sending",
        SyncState.SENT: "finish_sent",
        SyncState.WAITING_NETWORK: "finish_waiting",
        SyncState.HELD: "finish_held",
    }
    for sync, key in finish.items():
        member = dataclasses.replace(
            base, step=Step.FINISH, visitor_kind=VisitorKind.MEMBER_CARD, sync=sync
        )
        cases.append((member, key))
    live = {
        Guide.MEASURING: "guide_measuring",
        Guide.RESULT: "guide_done",
        Guide.RETRY: "guide_retry",
        Guide.DEVICE_ERROR: "guide_device_error",
    }
    for kind in MeasureKind:
        measuring = dataclasses.replace(base, step=Step.MEASURE, chosen=(kind,), position=0)
        cases.append((dataclasses.replace(measuring, guide=Guide.WAITING), f"guide_{kind}"))
        cases.append((dataclasses.replace(measuring, guide=Guide.READY), f"guide_{kind}_ready"))
        for live_state, key in live.items():
            cases.append((dataclasses.replace(measuring, guide=live_state), key))
    for state, key in cases:
        assert prompt_for(state) == key, (state.step, state.guide, key)
    # Every prompt is said somewhere, and no step falls through to another step's prompt.
    assert {key for _, key in cases} == set(PROMPTS)
    for step in Step:
        key = prompt_for(dataclasses.replace(base, step=step))
        assert key in PROMPTS and (key == "staff") is (step is Step.STAFF), step


def test_clips_are_the_screens_own_words() -> None:
    def said(text: texts.Bilingual) -> tuple[str, str]:
        return texts.spoken(text.ko), texts.spoken(text.en)

    assert (sentence("welcome", "ko"), sentence("welcome", "en")) == said(texts.WELCOME)
    assert sentence("consent", "ko") == texts.spoken(texts.CONSENT.ko)
    assert sentence("guide_retry", "ko") == MEASURE_AGAIN_KO
    # The guidance panel's live line for each state is exactly what the voice says.
    for kind in MeasureKind:
        assert sentence(f"instruction_{kind}", "ko") == texts.spoken(
            texts.GUIDE_INSTRUCTION[kind.value].ko
        )
        state = FlowState(step=Step.MEASURE, chosen=(kind,), retry_ko=MEASURE_AGAIN_KO)
        for guide_state in Guide:
            shown = live_text(dataclasses.replace(state, guide=guide_state, retry_en="x"))
            key = prompt_for(dataclasses.replace(state, guide=guide_state))
            assert texts.spoken(shown.ko) in spoken_text(key, "ko"), (kind, guide_state)
    # Korean in Korean, English without Hangul, and no digits but the fixed ones on screen.
    for clip, text in CLIPS.items():
        assert HANGUL.search(text.ko) and text.en and not HANGUL.search(text.en), clip
    assert sentence("countdown", "ko") == texts.spoken(texts.countdown_text(int(WARNING_S)).ko)


def test_synthesiser_respelling_of_korean() -> None:
    # Nasal assimilation written out (espeak-ng reads 입니다 as "ipnida").
    assert respell_ko("고맙습니다") == "고맙슴니다"
    assert respell_ko("국물") == "궁물"
    assert respell_ko("받는") == "반는"
    assert respell_ko("혈압 측정") == "혈압 측정"  # across a space: left alone
    assert respell_ko("어서 오세요.") == "어서 오세요."
    assert respell("QR 코드 (6~12자리 숫자)", "ko") == "큐알 코드 (여섯에서 열두 자리 숫자)"
    assert respell("it starts over in 30 s.", "en") == "it starts over in 30 seconds."


# --- the committed audio ------------------------------------------------------------------
def test_committed_audio_matches_the_catalogue() -> None:
    assert manifest.verify() == []


def test_manifest_check_fails_on_changed_sentence_missing_or_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "prompts"
    shutil.copytree(manifest.PROMPTS_DIR, copy)
    assert manifest.verify(copy) == []

    # A sentence changed in ui/texts.py, the audio not re-rendered.
    monkeypatch.setattr(
        manifest,
        "sentence",
        lambda clip, language: sentence(clip, language) + (" 더" if clip == "thanks" else ""),
    )
    problems = manifest.verify(copy)
    assert problems == [
        "thanks.ko.wav: the sentence changed since it was rendered",
        "thanks.en.wav: the sentence changed since it was rendered",
    ]
    monkeypatch.undo()

    (copy / "staff.en.wav").unlink()
    (copy / "welcome.ko.wav").write_bytes((copy / "identify.ko.wav").read_bytes())
    problems = manifest.verify(copy)
    assert "staff.en.wav: file missing" in problems
    assert "welcome.ko.wav: the audio differs from the manifest" in problems
    assert len(problems) == 2


def test_build_command_checks_and_explains_a_missing_synthesiser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.main(["--check"]) == 0
    copy = tmp_path / "prompts"
    shutil.copytree(manifest.PROMPTS_DIR, copy)
    (copy / "choose.ko.wav").unlink()
    assert build.main(["--check", "--out", str(copy)]) == 1
    assert "choose.ko.wav: file missing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build.main(["--only", "no_such_clip", "--out", str(copy)])
    # Without espeak-ng and sox (a kiosk, CI) the build says what to install and changes nothing.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    before = sorted(p.name for p in copy.iterdir())
    assert build.main(["--out", str(copy)]) == 1
    assert "apt-get install espeak-ng sox" in capsys.readouterr().err
    assert sorted(p.name for p in copy.iterdir()) == before


def _samples(path: Path) -> array.array[int]:
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
    samples = array.array("h")
    samples.frombytes(frames)
    return samples


def test_every_clip_is_mono_16k_16bit_speech_of_sensible_length() -> None:
    total = 0
    for clip, language in itertools.product(CLIPS, LANGUAGES):
        path = manifest.PROMPTS_DIR / manifest.file_name(clip, language)
        info = manifest.wav_info(path)
        assert (info.channels, info.sample_rate, info.sample_width) == (1, 16_000, 2), path.name
        # At least half a second, and no longer than about 4 syllables a second would need.
        syllables = len(HANGUL.findall(sentence(clip, "ko")))
        assert 0.5 <= info.seconds <= max(3.0, syllables / 2), (path.name, info.seconds)
        samples = _samples(path)
        peak = max(abs(s) for s in samples)
        rms = (sum(s * s for s in samples) / len(samples)) ** 0.5
        # Normalised to -3 dBFS (0.71 of full scale), and speech, not near-silence.
        assert 0.6 * 32768 <= peak <= 0.8 * 32768, (path.name, peak)
        assert rms > 0.03 * 32768, (path.name, rms)
        total += path.stat().st_size
    assert total < 10_000_000  # the repository carries these


def test_every_clip_loads_in_the_kiosks_media_player(qapp: QApplication) -> None:  # noqa: F811
    """Qt's own backend (FFmpeg in the wheel) opens each file and agrees on its length."""
    player = QMediaPlayer()
    loop = QEventLoop()  # its processEvents, unlike the static one, leaks no reference to None
    try:
        for clip, language in itertools.product(CLIPS, LANGUAGES):
            path = manifest.PROMPTS_DIR / manifest.file_name(clip, language)
            player.setSource(QUrl.fromLocalFile(str(path)))
            deadline = time.monotonic() + 5
            while player.mediaStatus() is not QMediaPlayer.MediaStatus.LoadedMedia:
                assert player.error() is QMediaPlayer.Error.NoError, (path.name, player.error())
                assert time.monotonic() < deadline, (path.name, player.mediaStatus())
                loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            seconds = manifest.wav_info(path).seconds
            assert abs(player.duration() / 1000 - seconds) < 0.05, (path.name, player.duration())
    finally:
        player.setSource(QUrl())
        player.deleteLater()


# --- the guide ----------------------------------------------------------------------------
def test_guide_without_audio_device_is_silent_logs_once_and_reports(
    guide: VoiceGuide, caplog: pytest.LogCaptureFixture
) -> None:
    device = bool(QMediaDevices.audioOutputs())
    assert guide.has_output is device
    heard = listen(guide)
    with caplog.at_level(logging.INFO, logger="ui.voice.guide"):
        silent = VoiceGuide()
        said = listen(silent)
        for key in ("welcome", "identify", "staff"):
            silent.say(key, "ko")
        silent.deleteLater()
    assert said == [(k, "ko", device) for k in ("welcome", "identify", "staff")]
    told = [r for r in caplog.records if "no audio output" in r.getMessage()]
    assert len(told) == (0 if device else 1)
    guide.say("countdown", "en")
    assert heard == [("countdown", "en", device)]
    with pytest.raises(KeyError):
        guide.say("not-a-prompt", "ko")


def test_volume_and_mute_are_clamped_and_reset_to_the_kiosk_defaults(guide: VoiceGuide) -> None:
    volumes: list[int] = []
    mutes: list[bool] = []
    guide.volume_changed.connect(volumes.append)
    guide.muted_changed.connect(mutes.append)
    assert (guide.volume, guide.muted) == (60, False)
    guide.set_volume(150)
    assert guide.volume == 100
    guide.volume_up()
    assert guide.volume == 100
    guide.set_volume(-20)
    assert guide.volume == 0
    guide.set_volume(2 * VOLUME_STEP)
    guide.volume_down()
    guide.volume_down()  # the quieter button never reaches silence
    assert guide.volume == VOLUME_STEP
    guide.say("identify", "ko")
    heard = listen(guide)
    guide.toggle_mute()
    assert guide.muted
    guide.replay()
    assert heard == [("identify", "ko", False)]  # reported, never audible while muted
    guide.volume_up()  # louder means the visitor wants to hear it
    assert not guide.muted and guide.volume == 2 * VOLUME_STEP
    assert volumes == [100, 0, 20, 10, 20] and mutes == [True, False]

    guide.set_defaults(45, False)
    guide.reset()
    assert (guide.volume, guide.muted, guide.last_prompt) == (45, True, None)
    guide.set_defaults(999, True)
    guide.reset()
    assert (guide.volume, guide.muted) == (100, False)


def test_volume_steps_meet_the_speech_volume_rules() -> None:
    """EN 301 549 8.2.1.1/8.2.1.2 (kiosk_ux.md §3): range over 18 dB, steps under 18 dB, and a
    level at least 12 dB above the lowest audible one."""
    levels = range(VOLUME_STEP, 101, VOLUME_STEP)
    db = [20 * math.log10(gain(v)) for v in levels]
    steps = [b - a for a, b in itertools.pairwise(db)]
    assert gain(0) == 0 and gain(100) == 1 and gain(150) == 1
    assert all(0 < step < 18 for step in steps), steps
    assert db[-1] - db[0] >= 18
    assert any(level - db[0] >= 12 for level in db)


def test_guide_speaks_once_per_screen_language_result_and_warning(
    guide: VoiceGuide, bp_result: BpResult
) -> None:
    heard = listen(guide)
    welcome = FlowState()
    identify = dataclasses.replace(welcome, step=Step.IDENTIFY)
    measuring = dataclasses.replace(
        welcome, step=Step.MEASURE, chosen=(MeasureKind.BLOOD_PRESSURE,), guide=Guide.RESULT
    )
    for state in (
        welcome,
        welcome,  # nothing new on screen: nothing said
        dataclasses.replace(welcome, language=Language.EN),
        dataclasses.replace(identify, language=Language.EN),
        dataclasses.replace(identify, language=Language.EN, countdown_s=30),
        dataclasses.replace(identify, language=Language.EN, countdown_s=29),
        dataclasses.replace(identify, language=Language.EN),  # back: not repeated
        measuring,
        dataclasses.replace(measuring, results=(bp_result,)),  # a new result: said again
    ):
        guide.follow(state)
    assert [(k, lang) for k, lang, _ in heard] == [
        ("welcome", "ko"),
        ("welcome", "en"),
        ("identify", "en"),
        ("countdown", "en"),
        ("guide_done", "ko"),
        ("guide_done", "ko"),
    ]


# --- on the window ------------------------------------------------------------------------
def test_window_speaks_each_step_and_each_visitor_starts_at_default_volume(
    window: KioskWindow,  # noqa: F811
) -> None:
    win = window
    heard = listen(win.voice)
    assert (win.voice.volume, win.voice.muted) == (70, False)  # KioskSettings defaults
    assert not win.options_button.isVisible()  # the welcome screen has no header
    tap(win.start_button)
    pump_until(lambda: ("identify", "ko") in [(k, lang) for k, lang, _ in heard], "identify")
    assert not win.voice_button.isVisible()  # behind the "text and sound" button
    tap(win.options_button)
    pump_until(lambda: win.voice_button.isVisible(), "the text-and-sound panel")
    assert win.voice_button.accessibleName() == texts.spoken(
        f"{texts.VOICE_OFF.ko} / {texts.VOICE_OFF.en}"
    )
    tap(win.volume_up)
    tap(win.volume_up)
    tap(win.volume_up)
    tap(win.volume_up)
    assert win.voice.volume == 100
    tap(win.volume_down)
    assert win.voice.volume == 90
    tap(win.voice_button)
    assert win.voice.muted
    assert texts.VOICE_ON.ko in win.voice_button.accessibleName()
    tap(win.language_button)
    pump_until(lambda: win.state.language is Language.EN, "English")
    assert heard[-1] == ("identify", "en", False)
    assert win.voice_button.accessibleName() == texts.VOICE_ON.en

    heard.clear()
    tap(win.home_button)  # the visit ends
    pump_until(lambda: win.state.step is Step.WELCOME, "the welcome screen")
    assert (win.voice.volume, win.voice.muted) == (70, False)
    assert win.voice_button.accessibleName() == texts.spoken(
        f"{texts.VOICE_OFF.ko} / {texts.VOICE_OFF.en}"
    )
    assert heard == [("welcome", "ko", win.voice.has_output)]


class SettingsRuntime(ThreadRuntime):
    """The stand-in with the real runtime's settings store on the same kiosk database."""

    def __init__(self, visits: VisitManager) -> None:  # noqa: F811
        super().__init__(visits)
        self.settings = SettingsStore(visits.store)


def test_kiosk_settings_decide_each_visitors_starting_volume(
    qapp: QApplication,  # noqa: F811
    visits: VisitManager,  # noqa: F811
) -> None:
    rt = SettingsRuntime(visits)
    rt.settings.update({"voice_volume": 40, "voice_enabled": False}, changed_by="test")
    try:
        with shown_window(rt, PORTRAIT) as win:
            assert (win.voice.volume, win.voice.muted) == (40, True)
            tap(win.start_button)
            pump_until(lambda: win.state.step is Step.IDENTIFY, "identify")
            assert texts.VOICE_ON.ko in win.voice_button.accessibleName()
            tap(win.options_button)
            pump_until(lambda: win.voice_button.isVisible(), "the text-and-sound panel")
            tap(win.voice_button)
            tap(win.volume_up)
            assert (win.voice.volume, win.voice.muted) == (50, False)
            # A technician changes the default mid-visit: the next visitor gets it.
            rt.settings.update({"voice_volume": 30}, changed_by="test")
            tap(win.home_button)
            pump_until(lambda: win.state.step is Step.WELCOME, "the welcome screen")
            assert (win.voice.volume, win.voice.muted) == (30, True)
    finally:
        rt.close()
    assert rt.errors == []


def _gap_mm(a: QRect, b: QRect, px_per_mm: float) -> float:
    dx = max(b.left() - a.right() - 1, a.left() - b.right() - 1, 0)
    dy = max(b.top() - a.bottom() - 1, a.top() - b.bottom() - 1, 0)
    return max(dx, dy) / px_per_mm


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_speaker_controls_are_large_apart_and_fit_each_orientation(
    qapp: QApplication,  # noqa: F811
    runtime: ThreadRuntime,  # noqa: F811
    size: tuple[int, int],
) -> None:
    with shown_window(runtime, size) as win:
        tap(win.start_button)
        pump_until(lambda: win.state.step is Step.IDENTIFY, "identify")
        tap(win.options_button)
        pump_until(lambda: win.voice_button.isVisible(), "the speaker controls")
        assert_fits(win, size)
        px_per_mm = win.theme.metrics.px_per_mm
        buttons = [b for b in win.findChildren(QPushButton) if b.isVisibleTo(win)]
        ours: set[QPushButton] = {win.voice_button, win.volume_down, win.volume_up}
        assert ours <= set(buttons)
        rects = {b: QRect(b.mapTo(win, b.rect().topLeft()), b.size()) for b in buttons}
        for b in ours:
            r = rects[b]
            assert min(r.width(), r.height()) / px_per_mm >= 12, b.objectName()
            assert r.width() * r.height() / px_per_mm**2 >= 150, b.objectName()
            assert win.rect().contains(r), b.objectName()
        for a, b in itertools.product(ours, buttons):
            if a is not b:
                gap = _gap_mm(rects[a], rects[b], px_per_mm)
                assert gap >= 2.5, (a.objectName(), b.objectName(), gap)
        # Every line of the buttons is shown whole: the labels were not squeezed.
        for b in ours:
            assert b.width() >= b.sizeHint().width(), b.objectName()
