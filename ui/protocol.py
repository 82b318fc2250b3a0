"""What the Qt front end needs from the kiosk runtime, as a structural type.

Defined here rather than imported from ``kiosk.runtime`` so tests can hand in a small real
stand-in, and so the UI depends only on the few members it actually uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kiosk.session import VisitManager

DemoAction = tuple[str, Callable[[], None]]


class RuntimeLike(Protocol):
    # Read-only properties: a plain attribute or a property on the runtime both satisfy them.
    @property
    def visits(self) -> VisitManager: ...

    @property
    def demo_actions(self) -> Sequence[DemoAction]:
        """(button label, action) pairs for simulator controls; actions post to the runtime."""
        ...

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` on the runtime thread; must return without waiting for it."""
        ...
