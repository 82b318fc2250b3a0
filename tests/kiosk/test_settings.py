"""Technician settings on a real SQLite store: defaults, validation, persistence, a bad stored
row falling back, and the settings reaching the visitor flow (next visit only) and the guest
purge of the real runtime."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.session import VisitManager
from kiosk.settings import KioskSettings, SettingsError, SettingsStore, parse_setting
from kiosk.store import Store
from kiosk.visit_flow import IDLE_AFTER_S, Language, Step, VisitFlow


@pytest.fixture
def store(tmp_data_dir: Path) -> Iterator[Store]:
    s = Store.open(tmp_data_dir / "kiosk.db")
    yield s
    s.close()


def test_defaults_without_any_row(store: Store) -> None:
    assert SettingsStore(store).current == KioskSettings()
    assert KioskSettings().inactivity_timeout_s == IDLE_AFTER_S  # one default, two places


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language_default", "ja"),
        ("text_size", "huge"),
        ("contrast", "inverted"),
        ("inactivity_timeout_s", 59),
        ("inactivity_timeout_s", 901),
        ("inactivity_timeout_s", True),  # a bool is not a number of seconds
        ("voice_volume", -1),
        ("voice_volume", 101),
        ("voice_enabled", "yes"),
        ("guest_retention_hours", 0),
        ("guest_retention_hours", 25),  # guests are told "deleted within a day"
    ],
)
def test_out_of_range_values_are_refused_with_advice(
    store: Store, field: str, value: object
) -> None:
    settings = SettingsStore(store)
    with pytest.raises(SettingsError) as refused:
        settings.update({field: value}, changed_by="technician")
    assert refused.value.field == field and field in refused.value.advice
    assert settings.current == KioskSettings()
    assert SettingsStore(store).current == KioskSettings()  # nothing was written


def test_unknown_setting_is_refused(store: Store) -> None:
    with pytest.raises(SettingsError):
        SettingsStore(store).update({"kiosk_id": "other"}, changed_by="technician")
    with pytest.raises(SettingsError):
        parse_setting("kiosk_id", "other")


def test_update_persists_and_notifies(store: Store) -> None:
    settings = SettingsStore(store)
    seen: list[KioskSettings] = []
    settings.subscribe(seen.append)
    new = settings.update(
        {"voice_enabled": False, "guest_retention_hours": 6, "language_default": "en"},
        changed_by="technician",
    )
    assert seen == [new]
    again = SettingsStore(store).current
    assert (again.voice_enabled, again.guest_retention_hours, again.language_default) == (
        False,
        6,
        "en",
    )
    with store.engine.connect() as c:
        rows = {
            str(k): by for k, by in c.execute(text("SELECT key, changed_by FROM kiosk_settings"))
        }
    assert rows == {
        "voice_enabled": "technician",
        "guest_retention_hours": "technician",
        "language_default": "technician",
    }


def test_a_bad_stored_row_falls_back_to_the_default(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    SettingsStore(store).update({"voice_volume": 30}, changed_by="technician")
    with store.engine.begin() as c:  # a hand-edited database
        c.execute(text("UPDATE kiosk_settings SET value = '500' WHERE key = 'voice_volume'"))
        c.execute(
            text(
                "INSERT INTO kiosk_settings (key, value, changed_at) VALUES"
                " ('inactivity_timeout_s', 'soon', :t), ('retired_setting', 'x', :t)"
            ),
            {"t": datetime.now(UTC)},
        )
    with caplog.at_level(logging.WARNING, logger="kiosk.settings"):
        loaded = SettingsStore(store).current
    assert loaded.voice_volume == 70 and loaded.inactivity_timeout_s == 180
    assert len(caplog.records) == 3


def test_parse_setting_types() -> None:
    assert parse_setting("voice_enabled", "false") is False
    assert parse_setting("voice_volume", " 40 ") == 40
    assert parse_setting("language_default", "en") == "en"
    with pytest.raises(SettingsError):
        parse_setting("voice_volume", "loud")


def test_the_flow_takes_settings_from_the_next_visit(store: Store) -> None:
    settings = SettingsStore(store)
    flow = VisitFlow(VisitManager(store, "kiosk-test-01"), settings=settings)
    assert flow.state.language is Language.KO and flow.idle_after_s == IDLE_AFTER_S
    flow.start(0.0)
    flow.identify_guest(1.0)
    settings.update({"language_default": "en", "inactivity_timeout_s": 90}, changed_by="t")
    # The visitor in front of the kiosk keeps their language and time.
    assert flow.state.language is Language.KO and flow.idle_after_s == IDLE_AFTER_S
    flow.reset(2.0)
    after = flow.state  # a new name: mypy narrowed the old one to KO above
    assert after.step is Step.WELCOME and after.language is Language.EN
    assert flow.idle_after_s == 90.0
    # The new idle time is the one the countdown uses.
    flow.start(10.0)
    flow.identify_guest(11.0)
    flow.tick(11.0 + 89)
    assert flow.state.countdown_s is None
    flow.tick(11.0 + 91)
    assert flow.state.countdown_s is not None


def test_runtime_purges_guests_with_the_technicians_retention(tmp_path: Path) -> None:
    runtime = KioskRuntime(KioskConfig(kiosk_id="kiosk-test-01", data_dir=tmp_path))
    try:
        store = runtime.store
        for visit, hours_ago in (("a" * 32, 30), ("b" * 32, 10)):
            store.start_visit(visit, "guest", None)
            store.end_visit(visit)
            with store.engine.begin() as c:
                c.execute(
                    text("UPDATE visits SET ended_at = :t WHERE id = :v"),
                    {"t": datetime.now(UTC) - timedelta(hours=hours_ago), "v": visit},
                )
        runtime._purge_once()  # the default 24 h: only the 30 h old one goes
        assert _visit_ids(store) == {"b" * 32}
        runtime.settings.update({"guest_retention_hours": 6}, changed_by="technician")
        assert _visit_ids(store) == set()  # applied at once, not at the next hourly purge
    finally:
        runtime.stop()


def _visit_ids(store: Store) -> set[str]:
    with store.engine.connect() as c:
        return {r[0] for r in c.execute(text("SELECT id FROM visits"))}
