"""The kiosk core: visits, device hub, scoring, storage and sync. Qt-free by contract."""

__version__ = "0.1.0"
