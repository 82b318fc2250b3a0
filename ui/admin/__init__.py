"""The staff admin screen (issue 8): PIN pad, then alerts, devices, sync, today, audit and
settings pages."""

from ui.admin.pages import AdminRuntimeLike
from ui.admin.screen import AdminScreen

__all__ = ["AdminRuntimeLike", "AdminScreen"]
