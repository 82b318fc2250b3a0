"""The staff admin screen (issue 8): PIN pad, then alerts, devices, sync and audit pages."""

from ui.admin.screen import AdminRuntimeLike, AdminScreen

__all__ = ["AdminRuntimeLike", "AdminScreen"]
