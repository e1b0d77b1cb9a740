"""A fixed-window limit of requests per client address, kept in Django's cache.

`FANGKONG_ARRIVALS_PER_HOUR` (default 10) registrations per address and clock hour; 0 turns
the limit off. Other public forms make their own `Window` with their own key and setting.
The count lives in the default cache: with several web processes that cache must be shared
(Redis), or each process counts on its own.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Window:
    """`setting` requests per address and clock hour (`default` when unset; 0: no limit)."""

    prefix: str
    setting: str
    default: int

    def per_hour(self) -> int:
        return int(getattr(settings, self.setting, self.default))

    def _key(self, ip: str | None) -> str:
        return f"{self.prefix}:ip:{ip or 'unknown'}:{timezone.now():%Y%m%d%H}"

    def exhausted(self, ip: str | None) -> bool:
        """True when this address has used up its requests for the hour."""
        limit = self.per_hour()
        return limit > 0 and (cache.get(self._key(ip)) or 0) >= limit

    def spend(self, ip: str | None) -> None:
        key = self._key(ip)
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)


DEFAULT_PER_HOUR = 10
ARRIVALS = Window("arrivals", "FANGKONG_ARRIVALS_PER_HOUR", DEFAULT_PER_HOUR)
per_hour = ARRIVALS.per_hour
exhausted = ARRIVALS.exhausted
spend = ARRIVALS.spend
