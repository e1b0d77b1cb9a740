"""The cast's mass-testing set-up: a laboratory, sampling sites with their samplers, and an
open round over 文远社区 (elsewhere: 10合1 under the Shuozhou notice) and 新建社区 (high
risk: one tube per household), made through the services."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from fangkong.accounts.roles import Role
from fangkong.accounts.services import user_create
from fangkong.core.cast import PASSWORD
from fangkong.places.services import venue_create
from fangkong.testing import services
from fangkong.testing.models import Laboratory, RoundStatus
from fangkong.testing.result_rules import ResultRow

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time in November 2022, Shuozhou time."""
    return datetime.datetime(2022, 11, day, hour, minute, tzinfo=TZ)


def mass_testing(cast) -> SimpleNamespace:
    c = cast
    t = SimpleNamespace(cast=c)
    t.venue = venue_create(acting_user=None, place=c.compound, name="开发区小区广场采样点",
                           kind="other")
    t.venue2 = venue_create(acting_user=None, place=c.xinjian_compound,
                            name="新建小区采样点", kind="other")
    t.site = services.site_create(acting_user=c.wangge, venue=t.venue, points=2,
                                  per_point_hour=60)
    t.site2 = services.site_create(acting_user=c.admin, venue=t.venue2, points=1,
                                   per_point_hour=30)
    t.caiyang2 = user_create(acting_user=None, username="caiyang2", password=PASSWORD,
                             role=Role.SAMPLER, scope=c.xinjian)
    services.site_assign(acting_user=c.wangge, site=t.site, samplers=[c.caiyang])
    services.site_assign(acting_user=c.admin, site=t.site2, samplers=[t.caiyang2])
    t.lab = Laboratory.objects.create(name="朔州市疾控中心实验室", code="sz-cdc", place=c.city)
    t.lab.members.add(c.jiance)
    t.jiance2 = user_create(acting_user=None, username="jiance2", password=PASSWORD,
                            role=Role.LABORATORY, scope=c.city)
    t.lab2 = Laboratory.objects.create(name="第三方检测机构", code="third", place=c.city)
    t.lab2.members.add(t.jiance2)
    t.round = services.round_create(
        acting_user=c.admin, number=1, name="全员核酸 第1轮", starts_at=at(22, 7),
        ends_at=at(22, 19), places=[(c.wenyuan, "low"), (c.xinjian, "high")])
    t.round = services.round_set_status(acting_user=c.admin, test_round=t.round,
                                        status=RoundStatus.OPEN)
    return t


def result(barcode, outcome="negative", orf=None, n=None, when=None, line="row 2"):
    return ResultRow(line=line, barcode=barcode, result=outcome, ct_orf1ab=orf, ct_n=n,
                     tested_at=when or at(22, 20))


def sample_pool(t, barcode, people, when=None, user=None):
    """Open a tube at the 文远 site and add `people` to it."""
    tube = services.tube_open(acting_user=user or t.cast.caiyang, test_round=t.round,
                              site=t.site, barcode=barcode, at=when or at(22, 9))
    for person in people:
        services.sample_add(acting_user=user or t.cast.caiyang, tube=tube, person=person,
                            at=when or at(22, 9))
    tube.refresh_from_db()
    if tube.status == "open":
        services.tube_close(acting_user=user or t.cast.caiyang, tube=tube, at=at(22, 10))
        tube.refresh_from_db()
    return tube
