"""Helpers of the arrival tests: a traveller's registration with sensible defaults, made on
the day it is dated (the service accepts arrivals only near today)."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from fangkong.arrivals.services import arrival_register, risk_region_add
from fangkong.lib import idnumber

SH = ZoneInfo("Asia/Shanghai")
CHAOYANG = "110105"  # 北京市朝阳区: never listed here
HAIZHU = "440105"  # 广州市海珠区: listed as high risk from 1 Nov 2022
TIANHE = "440106"  # 广州市天河区: same city as 海珠区, not listed itself
ZHENGZHOU = "410100"  # 郑州市: listed as a whole city in some tests
JINSHUI = "410105"  # 郑州市金水区
YINGXIAN = "140622"  # 应县, inside the cast's city 朔州市
TRAVELLER_ID = idnumber.make("110105", datetime.date(1992, 4, 8), 17)
TRAVELLER_PHONE = "13512345678"


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2022, month, day, hour, minute, tzinfo=SH)


def on_day(month, day, hour=8):
    """Travel to that morning, frozen: today is the arrival day."""
    return time_machine.travel(at(month, day, hour), tick=False)


def list_haizhu(cast, level="high", valid_from=datetime.date(2022, 11, 1), valid_to=None,
                code=HAIZHU):
    return risk_region_add(acting_user=cast.admin, code=code, level=level,
                           valid_from=valid_from, valid_to=valid_to,
                           source="广州市疫情防控指挥部通告")


def register(cast, when, **overrides):
    """A registration arriving at `when` (made that morning unless told otherwise)."""
    values = {"name": "孙悟", "id_number": TRAVELLER_ID, "phone": TRAVELLER_PHONE,
              "origin_code": CHAOYANG, "arrival_at": when, "transport": "train",
              "transport_number": "G601", "household": cast.h201, "ip": "203.0.113.5"}
    values.update(overrides)
    with time_machine.travel(when.replace(hour=8, minute=0), tick=False):
        return arrival_register(**values)
