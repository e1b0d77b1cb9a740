"""Helpers for the organisers' tests: more residents and units made through the services,
a case and a centralised isolation through their apps, and small page readers."""

import datetime
import re

from django.contrib.messages import get_messages

from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.places.models import Level
from fangkong.places.services import place_create

BIRTH = datetime.date(1970, 1, 1)
PHONE = "13912345678"  # a family's shared number
_sequence = iter(range(100, 10**6))


def person(cast, name, household, phone=""):
    """A resident with a fresh, valid ID number."""
    n = next(_sequence)
    birth = BIRTH + datetime.timedelta(days=n // 900)
    return person_create(acting_user=cast.admin, name=name, household=household, phone=phone,
                         id_number=idnumber.make("140602", birth, n % 900 + 1))


def units(cast, compound, buildings, units_each, households_each, people_each, prefix="B"):
    """Buildings of units of households, each household with `people_each` residents; returns
    the units in path order."""
    made = []
    for b in range(1, buildings + 1):
        building = place_create(acting_user=None, parent=compound, level=Level.BUILDING,
                                code=f"{prefix}{b}", name=f"{prefix}{b}号楼")
        for u in range(1, units_each + 1):
            unit = place_create(acting_user=None, parent=building, level=Level.UNIT,
                                code=str(u), name=f"{u}单元")
            for h in range(1, households_each + 1):
                home = place_create(acting_user=None, parent=unit, level=Level.HOUSEHOLD,
                                    code=f"{h:02d}", name=f"{u}{h:02d}")
                for p in range(people_each):
                    person(cast, f"居民{b}{u}{h}{p}", home, phone=PHONE)
            made.append(unit)
    return made


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def body(response) -> str:
    return response.content.decode()


def rows(page: str, table_id: str) -> list[str]:
    """The <tr> elements of a table body, as text."""
    start = page.index(f'id="{table_id}"')
    table = page[start:page.index("</table>", start)]
    return re.findall(r"<tr[^>]*data-[^>]*>.*?</tr>", table, flags=re.S)


def data(row: str, name: str) -> str:
    match = re.search(rf'data-{name}="([^"]*)"', row)
    return match.group(1) if match else ""
