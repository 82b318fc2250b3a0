"""Errors of the kiosk core. Each carries ``advice`` for staff; visitors see a kind message."""

from __future__ import annotations


class KioskError(Exception):
    advice: str = "See the kiosk log for details."

    def __init__(self, message: str, *, advice: str | None = None) -> None:
        super().__init__(message)
        if advice is not None:
            self.advice = advice


class ConfigError(KioskError):
    advice = "Fix the kiosk configuration and restart the kiosk."


class StorageError(KioskError):
    advice = "The kiosk database could not be written. Check disk space and file permissions."


class SyncError(KioskError):
    advice = "Results stay safe in the kiosk outbox; check the network and the broker address."


class SessionError(KioskError):
    """A visit-flow rule was broken (for example a reading with no visit in progress)."""

    advice = "Start a visit before measuring."
