"""The shared, named test cast: one city, two districts, streets, communities, a compound
with buildings and households, residents, and one user per role with a memorable name.

Built through the services, like real data. Used by the tests (see conftest.py).
"""

import datetime
from types import SimpleNamespace

from fangkong.accounts.roles import Role
from fangkong.accounts.services import user_create
from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.places.models import Level
from fangkong.places.services import place_create

PASSWORD = "fangkong-test-1"  # noqa: S105 - the cast's shared test password


def _place(parent, level, code, name, rural=False):
    return place_create(acting_user=None, parent=parent, level=level, code=code, name=name,
                        rural=rural)


def _households(unit, numbers):
    return [_place(unit, Level.HOUSEHOLD, str(n), f"{n}") for n in numbers]


def build_cast() -> SimpleNamespace:
    c = SimpleNamespace()
    c.city = _place(None, Level.CITY, "140600", "朔州市")
    c.shuocheng = _place(c.city, Level.DISTRICT, "140602", "朔城区")
    c.yingxian = _place(c.city, Level.DISTRICT, "140622", "应县")
    c.beicheng = _place(c.shuocheng, Level.SUBDISTRICT, "140602001", "北城街道")
    c.wenyuan = _place(c.beicheng, Level.COMMUNITY, "140602001001", "文远社区")
    c.xinjian = _place(c.beicheng, Level.COMMUNITY, "140602001002", "新建社区")
    c.jincheng = _place(c.yingxian, Level.SUBDISTRICT, "140622100", "金城镇")
    c.village = _place(c.jincheng, Level.COMMUNITY, "140622100201", "东关村", rural=True)
    c.compound = _place(c.wenyuan, Level.COMPOUND, "01", "开发区小区")
    c.building1 = _place(c.compound, Level.BUILDING, "1", "1号楼")
    c.building2 = _place(c.compound, Level.BUILDING, "2", "2号楼")
    c.unit1 = _place(c.building1, Level.UNIT, "1", "1单元")
    c.unit2 = _place(c.building2, Level.UNIT, "1", "1单元")
    c.h101, c.h102 = _households(c.unit1, [101, 102])
    c.h201, = _households(c.unit2, [201])
    c.xinjian_compound = _place(c.xinjian, Level.COMPOUND, "01", "新建小区")
    c.xinjian_building = _place(c.xinjian_compound, Level.BUILDING, "1", "1号楼")
    c.xinjian_unit = _place(c.xinjian_building, Level.UNIT, "1", "1单元")
    c.x101, = _households(c.xinjian_unit, [101])
    c.village_home = _place(c.village, Level.HOUSEHOLD, "12", "12号")

    c.admin = user_create(acting_user=None, username="zhihui", password=PASSWORD,
                          role=Role.COMMAND, scope=c.city, display_name="指挥中心")
    c.zhang = _resident(c, "张伟", "140602", datetime.date(1985, 3, 12), 21, c.h101,
                        "13800001234")
    c.li = _resident(c, "李娜", "140602", datetime.date(1988, 7, 1), 42, c.h101, "13900005678")
    c.wang = _resident(c, "王芳", "140602", datetime.date(1938, 5, 20), 62, c.h102, "")
    c.zhao = _resident(c, "赵强", "140602", datetime.date(1990, 1, 9), 13, c.x101, "13700002468")
    c.liu = _resident(c, "刘洋", "140622", datetime.date(1980, 11, 30), 35, c.village_home,
                      "13600001357")
    users = [
        ("quxian", Role.DISTRICT, c.shuocheng), ("jiedao", Role.SUBDISTRICT, c.beicheng),
        ("wangge", Role.COMMUNITY_WORKER, c.wenyuan), ("wangge2", Role.COMMUNITY_WORKER, c.xinjian),
        ("louzhang", Role.BUILDING_LEADER, c.building1), ("liudiao", Role.TRACER, c.shuocheng),
        ("caiyang", Role.SAMPLER, c.wenyuan), ("jiance", Role.LABORATORY, c.city),
        ("yiyuan", Role.HOSPITAL, c.city), ("ducha", Role.INSPECTOR, c.shuocheng),
        ("yingxianqu", Role.DISTRICT, c.yingxian),
    ]
    for username, role, scope in users:
        setattr(c, username, user_create(acting_user=None, username=username, password=PASSWORD,
                                         role=role, scope=scope))
    c.jumin = user_create(acting_user=None, username="jumin", password=PASSWORD,
                          role=Role.RESIDENT, person=c.zhang)
    c.noscope = user_create(acting_user=None, username="wuquyu", password=PASSWORD,
                            role=Role.COMMUNITY_WORKER, scope=c.wenyuan)
    c.noscope.scope = None
    c.noscope.save(update_fields=["scope"])
    return c


def _resident(c, name, region, birth, sequence, household, phone):
    return person_create(acting_user=c.admin, name=name,
                         id_number=idnumber.make(region, birth, sequence), household=household,
                         phone=phone)


def build_outbreak(c: SimpleNamespace) -> SimpleNamespace:
    from fangkong.cases.models import FacilityKind
    from fangkong.cases.services import facility_create, outbreak_create

    o = SimpleNamespace(cast=c)
    o.outbreak = outbreak_create(acting_user=c.admin, code="sz-2022-11", name="朔州本轮疫情",
                                 start_date=datetime.date(2022, 11, 13),
                                 places=[c.shuocheng, c.yingxian])
    o.hospital = facility_create(acting_user=c.admin, name="朔州市人民医院",
                                 kind=FacilityKind.DESIGNATED_HOSPITAL, place=c.shuocheng, beds=3)
    o.fangcang = facility_create(acting_user=c.admin, name="市大医院方舱医院",
                                 kind=FacilityKind.MAKESHIFT_HOSPITAL, place=c.shuocheng, beds=5)
    o.yingxian_point = facility_create(acting_user=c.admin, name="应县隔离点",
                                       kind=FacilityKind.ISOLATION_POINT, place=c.yingxian,
                                       beds=4)
    return o
