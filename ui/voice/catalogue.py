"""What the kiosk says: one prompt per guidance step, in the screens' own words.

Every sentence is built from :mod:`ui.texts`, so the voice never says something the screen does
not. Each screen text is one clip, with its audio in ``prompts/<clip>.<ko|en>.wav``; a prompt is
the clips one screen says, in order. A voice talent's recordings replace the synthesised files
under the same names (docs/voice.md).

Results are not read out: the speaker is heard by the whole room, and a reading is health data
(kiosk_ux.md §1.2 검증기준 10, §4). The voice says a value arrived and the screen shows it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from kiosk.session import MEASURE_AGAIN_EN, MEASURE_AGAIN_KO, VisitorKind
from kiosk.visit_flow import WARNING_S, FlowState, Guide, MeasureKind, Step, SyncState
from ui import texts
from ui.texts import Bilingual


def _sentences(lines: list[str]) -> str:
    # A title has no full stop on screen; spoken, it needs one to pause before what follows.
    return " ".join(t if t.endswith((".", "?", "!", ")")) else f"{t}." for t in lines if t)


def _say(*parts: Bilingual) -> Bilingual:
    """Screen texts as one spoken text per language, without the hand line breaks."""
    return Bilingual(
        _sentences([texts.spoken(p.ko) for p in parts]),
        _sentences([texts.spoken(p.en) for p in parts]),
    )


# One clip per screen text, recorded once; a prompt plays one or more clips in a row.
# Keys are file names: lower case, stable. Change the wording in ui/texts.py, not here.
CLIPS: Final = MappingProxyType(
    {
        "welcome": _say(texts.WELCOME),
        "identify": _say(texts.IDENTIFY),
        "number_wrong": _say(texts.NUMBER_WRONG),
        "qr_wrong": _say(texts.QR_WRONG),
        "consent": _say(texts.CONSENT),
        "consent_citizen": _say(texts.CONSENT_CITIZEN),
        "consent_guest": _say(texts.CONSENT_GUEST),
        "choose": _say(texts.CHOOSE),
        **{f"instruction_{k.value}": _say(texts.GUIDE_INSTRUCTION[k.value]) for k in MeasureKind},
        "guide_waiting": _say(texts.GUIDE_WAITING),
        "guide_ready": _say(texts.GUIDE_READY),
        "guide_measuring": _say(texts.GUIDE_MEASURING),
        "guide_done": _say(texts.GUIDE_DONE),
        # The panel shows the kiosk's own retry message (kiosk.session).
        "guide_retry": _say(Bilingual(MEASURE_AGAIN_KO, MEASURE_AGAIN_EN)),
        "guide_device_error": _say(texts.GUIDE_DEVICE_ERROR),
        "results_title": _say(texts.RESULTS_TITLE),
        "disclaimer": _say(texts.DISCLAIMER),
        "no_results": _say(texts.NO_RESULTS),
        "kept_here": _say(texts.KEPT_HERE),
        "sync_sending": _say(texts.SYNC_SENDING),
        "sync_sent": _say(texts.SYNC_SENT),
        "sync_waiting": _say(texts.SYNC_WAITING),
        "sync_held": _say(texts.SYNC_HELD),
        "thanks": _say(texts.THANKS),
        "staff": _say(texts.STAFF_COMING),
        # Said once when the warning appears, so with the warning's full length.
        "countdown": _say(texts.countdown_text(int(WARNING_S))),
    }
)

# What each screen says: its clips in the order they stand on screen.
PROMPTS: Final = MappingProxyType(
    {
        "welcome": ("welcome",),
        "identify": ("identify",),
        "number_wrong": ("number_wrong",),
        "qr_wrong": ("qr_wrong",),
        "consent_citizen": ("consent", "consent_citizen"),
        "consent_guest": ("consent", "consent_guest"),
        "choose": ("choose",),
        **{
            f"guide_{k.value}{ready}": (f"instruction_{k.value}", f"guide_{live}")
            for k in MeasureKind
            for ready, live in (("", "waiting"), ("_ready", "ready"))
        },
        "guide_measuring": ("guide_measuring",),
        "guide_done": ("guide_done",),
        "guide_retry": ("guide_retry",),
        "guide_device_error": ("guide_device_error",),
        "results": ("results_title", "disclaimer"),
        "results_empty": ("results_title", "no_results"),
        "finish_kept": ("kept_here", "thanks"),
        "finish_sending": ("sync_sending", "thanks"),
        "finish_sent": ("sync_sent", "thanks"),
        "finish_waiting": ("sync_waiting", "thanks"),
        "finish_held": ("sync_held", "thanks"),
        "finish_empty": ("no_results", "thanks"),
        "staff": ("staff",),
        "countdown": ("countdown",),
    }
)
LANGUAGES: Final = ("ko", "en")

_LIVE = {
    Guide.MEASURING: "guide_measuring",
    Guide.RESULT: "guide_done",
    Guide.RETRY: "guide_retry",
    Guide.DEVICE_ERROR: "guide_device_error",
}
_FINISH = {
    SyncState.KEPT_HERE: "finish_kept",
    SyncState.SENDING: "finish_sending",
    SyncState.SENT: "finish_sent",
    SyncState.WAITING_NETWORK: "finish_waiting",
    SyncState.HELD: "finish_held",
}


def sentence(clip: str, language: str) -> str:
    text = CLIPS[clip]
    return text.ko if language == "ko" else text.en


def spoken_text(prompt: str, language: str) -> str:
    """Everything a prompt says, as one text (for logs, tests and the docs)."""
    return " ".join(sentence(clip, language) for clip in PROMPTS[prompt])


def prompt_for(state: FlowState) -> str:
    """The prompt for what the screen shows in ``state`` (the idle warning comes first)."""
    if state.countdown_s is not None:
        return "countdown"
    step = state.step
    if step is Step.WELCOME:
        return "welcome"
    if step is Step.IDENTIFY:
        return {"member": "number_wrong", "qr": "qr_wrong"}.get(
            state.identify_error or "", "identify"
        )
    if step is Step.CONSENT:
        return "consent_citizen" if state.syncs else "consent_guest"
    if step is Step.CHOOSE:
        return "choose"
    if step is Step.MEASURE:
        kind = state.measuring
        if kind is None:  # nothing chosen to measure: the flow goes back to choosing
            return "choose"
        if state.guide in _LIVE:
            return _LIVE[state.guide]
        ready = "_ready" if state.guide is Guide.READY else ""
        return f"guide_{kind.value}{ready}"
    if step is Step.RESULTS:
        return "results" if state.results else "results_empty"
    if step is Step.FINISH:
        # The same choice as the finish screen's line (ui/flow_screens.py FinishScreen).
        key = _FINISH.get(state.sync)
        if key is None:
            guest = state.visitor_kind in (None, VisitorKind.GUEST)
            key = "finish_kept" if guest and state.results else "finish_empty"
        return key
    return "staff"
