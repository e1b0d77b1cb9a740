"""Helpers for tracing tests: venues, visits recorded through the gate path, teams, and
profiles that differ from the shipped ones in one value."""

import datetime

import time_machine
from django.contrib.messages import get_messages
from django.utils import translation

from fangkong.places.services import venue_create
from fangkong.protocol.selectors import profile_on
from fangkong.protocol.services import profile_create
from fangkong.tracing import services

MINUTE = datetime.timedelta(minutes=1)


def venue(cast, name="开发区超市", place=None, kind="supermarket"):
    return venue_create(acting_user=None, place=place or cast.compound, name=name, kind=kind)


def visit(venue, person, start: datetime.datetime, minutes: int):
    """Record that `person` was at `venue` from `start` for `minutes`, as a gate would."""
    left = start + minutes * MINUTE
    with time_machine.travel(left + MINUTE, tick=False):
        report = services.check_in_batch(acting_user=None, scans=[
            services.Scan(venue.code, person.id_number, start, left)])
    assert not report.refused, report.refused
    return left


def team(cast, name="追阳一队", *members, place=None):
    return services.team_create(acting_user=cast.admin, name=name,
                                place=place or cast.shuocheng,
                                members=members or [cast.liudiao])


def profile_with(cast, valid_from: datetime.date, **values):
    """A profile in force from `valid_from`, the one before it with `values` changed."""
    base = profile_on(valid_from)
    with time_machine.travel(valid_from, tick=False):  # a profile is written before its day
        return profile_create(acting_user=cast.admin, based_on=base, code=f"test-{valid_from}",
                              name=f"测试方案 {valid_from}", valid_from=valid_from,
                              source_doc="test", values={**base.values, **values})


def zh(message, **params):
    """The zh-hans catalogue's text for `message`: pages are checked in Chinese."""
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return text % params if params else text


def body_of(response):
    return response.content.decode()


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]
