"""Where travellers come from: the administrative divisions of GB/T 2260 (province, city,
county), read from python-stdnum's bundled `cn/loc.dat` with stdnum's own loader.

Codes are six digits: `PP0000` a province, `PPCC00` a city (prefecture), `PPCCXX` a county.
The file keeps retired codes with the years they were in force ("[1983-2014]新市区"), so
every list here is of the divisions in force in a given year (default: those still in force).
A city's "市辖区" entry (`PPCC01`, the urban districts as one statistical unit) is no county
anyone lives in and is left out. Some cities have no counties (东莞市, 中山市) and some
provinces no cities (香港, 澳门, 台湾): there the city or the province is the finest choice.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb

PROVINCE, CITY, COUNTY = "province", "city", "county"
_DATED = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.+)$")
_URBAN_DISTRICTS = "市辖区"


@dataclass(frozen=True)
class Division:
    code: str
    name: str


def _spans(value: str) -> list[tuple[int | None, int | None, str]]:
    """"[1983-2014]新市区,[2015-]竞秀区" → [(1983, 2014, '新市区'), (2015, None, '竞秀区')]."""
    spans = []
    for part in value.split(","):
        match = _DATED.match(part)
        if match is None:
            spans.append((None, None, part))
        else:
            spans.append((int(match["start"]) if match["start"] else None,
                          int(match["end"]) if match["end"] else None, match["name"]))
    return spans


@lru_cache(maxsize=1)
def _table() -> dict[str, list[tuple[int | None, int | None, str]]]:
    """Every code of the file with its dated names, read once per process."""
    table = {}
    for _length, low, _high, props, children in numdb.get("cn/loc").prefixes:
        for _clength, suffix, _chigh, cprops, _grandchildren in children:
            table[low + suffix] = _spans(cprops.get("county", ""))
        table.setdefault(low + "0000", [(None, None, props.get("province", ""))])
    return table


def _name_in(code: str, year: int | None) -> str | None:
    for start, end, name in _table().get(code, ()):
        if year is None:
            if end is None:
                return name
        elif (start is None or start <= year) and (end is None or year <= end):
            return name
    return None


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return PROVINCE
    return CITY if code.endswith("00") else COUNTY


@lru_cache(maxsize=1)
def _codes() -> tuple[str, ...]:
    return tuple(sorted(_table()))


@lru_cache(maxsize=2048)  # a few hundred cities, a few years: every list stays cached
def _divisions(prefix: str, level: str, year: int | None) -> tuple[Division, ...]:
    found = []
    for code in _codes():
        if not code.startswith(prefix) or level_of(code) != level:
            continue
        name = _name_in(code, year)
        if name and not (level == COUNTY and name == _URBAN_DISTRICTS):
            found.append(Division(code, name))
    return tuple(found)


def provinces(year: int | None = None) -> tuple[Division, ...]:
    return _divisions("", PROVINCE, year)


def cities(province_code: str, year: int | None = None) -> tuple[Division, ...]:
    return _divisions(province_code[:2], CITY, year) if len(province_code) >= 2 else ()


def counties(city_code: str, year: int | None = None) -> tuple[Division, ...]:
    return _divisions(city_code[:4], COUNTY, year) if len(city_code) >= 4 else ()


def name_of(code: str, year: int | None = None) -> str | None:
    """The division's name in `year` (default: its name now); None for an unknown code or
    one not in force then."""
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        return None
    if year is None:
        return _name_in(code, None) or _latest_name(code)
    return _name_in(code, year)


def _latest_name(code: str) -> str | None:
    spans = _table().get(code, ())
    return spans[-1][2] if spans else None


def is_finest(code: str, year: int | None = None) -> bool:
    """True when `code` is in force and nothing finer lies below it: a county, a city with
    no counties or a province with no cities — the place a traveller can say they left."""
    if name_of(code, year) is None:
        return False
    level = level_of(code)
    if level == COUNTY:
        return name_of(code, year) != _URBAN_DISTRICTS
    if level == CITY:
        return not counties(code, year)
    return not cities(code, year)


def chain(code: str, year: int | None = None) -> list[Division]:
    """The province, city and county of a code, top down, as far as they exist."""
    codes = [code[:2] + "0000"]
    if level_of(code) != PROVINCE:
        codes.append(code[:4] + "00")
    if level_of(code) == COUNTY:
        codes.append(code)
    return [Division(c, name_of(c, year) or name_of(c) or c) for c in codes]


def full_name(code: str, year: int | None = None) -> str:
    """"山西省朔州市应县"; a municipality's "市辖区" step is left out ("北京市朝阳区")."""
    return "".join(d.name for d in chain(code, year) if d.name != _URBAN_DISTRICTS)
