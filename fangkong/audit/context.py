"""Where the current change comes from (IP and channel), set once per request or command."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    via: str = "system"


_NO_ORIGIN = Origin()
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("audit_origin",
                                                              default=_NO_ORIGIN)


def current() -> Origin:
    return _origin.get()


@contextmanager
def bound(origin: Origin):
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def bind(origin: Origin) -> None:
    """Set the origin for the rest of this context (a management command)."""
    _origin.set(origin)
