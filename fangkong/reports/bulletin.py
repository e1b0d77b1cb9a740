"""The daily bulletin (疫情通报) as of 24:00 on a day, scoped to the acting user.

`bulletin()` returns the stable JSON shape; `text.py` and `docx.py` render it. Every
case figure is the count of one bucket of `cases.selectors.BUCKETS`, so the page can link
each number to the register filtered by the same bucket. Later sections append to
`SECTIONS`: the contacts traced and under control (`tracing_section`), risk areas.
"""

import datetime
import functools
import operator

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from fangkong.cases.models import Outbreak
from fangkong.cases.selectors import BUCKETS, bucket_q, cases_for_user
from fangkong.control.models import ControlOrder, OrderStatus
from fangkong.lib.localday import day_bounds
from fangkong.places.models import Level
from fangkong.tracing.models import Category, Contact, ContactStatus

NEW_KEYS = {"confirmed": "new_confirmed", "reclassified": "new_reclassified",
            "asymptomatic": "new_asymptomatic", "in_control": "new_in_control",
            "community": "new_community", "discharged": "new_discharged",
            "released": "new_released", "deaths": "new_deaths"}
NEW_BY_DISTRICT = ("confirmed", "reclassified", "asymptomatic", "in_control", "community")
STOCK_KEYS = ("discharged", "released", "in_hospital", "under_observation", "deaths")
CUMULATIVE_BY_DISTRICT = ("confirmed", "asymptomatic", *STOCK_KEYS)


def _district_rows(user, outbreak: Outbreak, day: datetime.date) -> list[dict]:
    """One row per district: the count of every bucket, in one query."""
    _, end = day_bounds(day, settings.TIME_ZONE)
    counts = {name: Count("pk", filter=bucket_q(name, day)) for name in BUCKETS}
    return list(cases_for_user(user).filter(outbreak=outbreak, reported_at__lt=end)
                .values("district__name", "district__path").annotate(**counts)
                .order_by("district__path"))


def _outbreak_districts(user, outbreak: Outbreak) -> list[tuple[str, str]]:
    path = getattr(user, "scope_path", "") or "\0"
    return [(p.path, p.name) for p in outbreak.places.filter(level=Level.DISTRICT)
            if p.path.startswith(path) or path.startswith(p.path)]


def _by_district(user, outbreak, rows) -> dict[str, dict]:
    found = {row["district__path"]: row for row in rows}
    names = dict(_outbreak_districts(user, outbreak))
    names.update({row["district__path"]: row["district__name"] for row in rows})
    zero = dict.fromkeys(BUCKETS, 0)
    return {names[path]: found.get(path, zero) for path in sorted(names)}


def case_section(user, outbreak: Outbreak, day: datetime.date) -> dict:
    rows = _by_district(user, outbreak, _district_rows(user, outbreak, day))
    total = {b: sum(row[b] for row in rows.values()) for b in BUCKETS}
    new = {key: total[bucket] for key, bucket in NEW_KEYS.items()}
    new["by_district"] = {name: {k: row[NEW_KEYS[k]] for k in NEW_BY_DISTRICT}
                          for name, row in rows.items()}
    return {
        "new": new,
        "cumulative": {"confirmed": total["confirmed"], "asymptomatic": total["asymptomatic"],
                       "by_district": {name: {k: row[k] for k in CUMULATIVE_BY_DISTRICT}
                                       for name, row in rows.items()}},
        **{key: total[key] for key in STOCK_KEYS},
    }


# How many orders of a contact's control chain are followed: the order the contact was put
# under and the phases that came after it (two in every shipped profile's plans).
CHAIN_LINKS = 4


def _in_chain(condition: Q) -> Q:
    """Some order of the contact's chain meets `condition`: an index lookup per link."""
    links = ["__".join(["predecessor"] * n + ["id"]) for n in range(CHAIN_LINKS)]
    return functools.reduce(operator.or_, (
        Q(Exists(ControlOrder.objects.filter(condition, **{link: OuterRef("control_order_id")})))
        for link in links))


def tracing_section(user, outbreak: Outbreak, day: datetime.date) -> dict:
    """People confirmed as close or secondary contacts of the outbreak's cases by 24:00, and where
    they stood then: become cases; else still held by their control order or a phase that
    followed it; else released from control. Read from timestamps alone (confirmed, under
    control from, order ended at, case reported at), so a past day stays as it was."""
    start, end = day_bounds(day, settings.TIME_ZONE)
    became = Q(became_case__reported_at__lt=end)
    controlled = Q(controlled_at__lt=end) & ~became
    held = _in_chain(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    # an escalated order ended on a positive test: the case it reports is not released
    escalated = _in_chain(Q(status=OrderStatus.ESCALATED, ended_at__lt=end))
    people = functools.partial(Count, "person", distinct=True)  # a contact of two cases is one
    figures = Contact.objects.accessible_to(user).filter(
        case__outbreak=outbreak, status=ContactStatus.CONFIRMED,
        category__in=(Category.CLOSE, Category.SECONDARY), confirmed_at__lt=end,
    ).aggregate(
        contacts_traced=people(),
        traced_before=people(filter=Q(confirmed_at__lt=start)),
        secondary_contacts_traced=people(filter=Q(category=Category.SECONDARY)),
        contacts_under_control=people(filter=controlled & held),
        contacts_released=people(filter=controlled & ~held & ~escalated),
        contacts_became_cases=people(filter=became),
    )
    # new on the day: people first traced that day, not a second link of someone traced before
    figures["new_contacts_traced"] = figures["contacts_traced"] - figures.pop("traced_before")
    return figures


SECTIONS = [case_section, tracing_section]


def bulletin(user, day: datetime.date, outbreak: Outbreak) -> dict:
    result = {"as_of": day.isoformat(), "outbreak": outbreak.code,
              "outbreak_name": outbreak.name,
              "outbreak_start": outbreak.start_date.isoformat(),
              "scope": getattr(getattr(user, "scope", None), "name", "")}
    for section in SECTIONS:
        result.update(section(user, outbreak, day))
    return result
