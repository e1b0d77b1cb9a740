"""Small helpers for case tests: local times and reporting through the service."""

import datetime
from zoneinfo import ZoneInfo

from fangkong.cases import services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2022, month, day, hour, tzinfo=SHANGHAI)


def report(o, person, classification="asymptomatic", *, day=14, hour=10,
           route="community_screening", user=None, **extra):
    if classification == "confirmed":
        extra.setdefault("clinical_type", "mild")
    return services.case_report(acting_user=user or o.cast.admin, person=person,
                                outbreak=o.outbreak, classification=classification,
                                reported_at=at(day, hour), route=route, **extra)


def passing_tests(case, first_day, user):
    for day in (first_day, first_day + 1):
        services.case_test_record(acting_user=user, case=case, sampled_at=at(day, 8),
                                  ct_n=None, ct_orf1ab=36)
