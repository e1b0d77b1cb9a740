"""A fixed-window limit of registrations per client address, kept in Django's cache.

`FANGKONG_ARRIVALS_PER_HOUR` (default 10) registrations per address and clock hour; 0 turns
the limit off. The count lives in the default cache: with several web processes that cache
must be shared (Redis), or each process counts on its own.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

DEFAULT_PER_HOUR = 10
WINDOW_SECONDS = 3600


def per_hour() -> int:
    return int(getattr(settings, "FANGKONG_ARRIVALS_PER_HOUR", DEFAULT_PER_HOUR))


def _key(ip: str | None) -> str:
    return f"arrivals:ip:{ip or 'unknown'}:{timezone.now():%Y%m%d%H}"


def exhausted(ip: str | None) -> bool:
    """True when this address has used up its registrations for the hour."""
    limit = per_hour()
    return limit > 0 and (cache.get(_key(ip)) or 0) >= limit


def spend(ip: str | None) -> None:
    key = _key(ip)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
