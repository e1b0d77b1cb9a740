"""Local days: "as of 24:00 on D" is the instant the next local day begins."""

import datetime
from zoneinfo import ZoneInfo


def day_bounds(day: datetime.date, tz: str) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the local day `day` as aware datetimes."""
    zone = ZoneInfo(tz)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min,
                                    tzinfo=zone)
    return start, end


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
