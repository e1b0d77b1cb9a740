"""A scenario's data file, read and checked: its daily series must add up to its targets.

The file (`fangkong/demo/data/<code>.json`) says what the bulletin shows each day per
district; `plan.py` turns it into cases. Checking the sums here means a typo in the file
fails loudly before anything is written, not as a wrong figure on the dashboard.
"""

import datetime
import json
from dataclasses import dataclass

from fangkong.demo.material import DATA_DIR
from fangkong.lib.localday import days

COLUMNS = ("confirmed", "reclassified", "asymptomatic", "discharged", "released")


class ScenarioMissing(LookupError):
    pass


class ScenarioDataError(ValueError):
    pass


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str
    start: datetime.date
    end: datetime.date
    districts: dict          # name -> administrative code
    targets: dict
    anchors: list
    series: dict             # district name -> {date: {column: count}}
    community_share: dict    # date -> share of the day's new infections found in the community
    routes: dict
    clinical_types: dict
    course: dict
    facilities: list
    admission: dict

    @property
    def days(self) -> list[datetime.date]:
        return days(self.start, self.end)

    @property
    def as_of(self) -> datetime.date:
        return datetime.date.fromisoformat(self.targets["as_of"])

    def day(self, district: str, day: datetime.date) -> dict:
        return self.series[district][day]


def scenario_names() -> list[str]:
    return sorted(path.stem for path in DATA_DIR.glob("*-*.json"))


def load_scenario(code: str) -> Scenario:
    path = DATA_DIR / f"{code}.json"
    if code not in scenario_names() or not path.is_file():
        raise ScenarioMissing(code)
    raw = json.loads(path.read_text(encoding="utf-8"))
    scenario = Scenario(
        code=raw["code"], name=raw["name"],
        start=datetime.date.fromisoformat(raw["start"]),
        end=datetime.date.fromisoformat(raw["end"]),
        districts=raw["districts"], targets=raw["targets"], anchors=raw["anchors"],
        series={district: _series(raw, district) for district in raw["districts"]},
        community_share={datetime.date.fromisoformat(k): v
                         for k, v in raw["community_share"].items()},
        routes=raw["routes"], clinical_types=raw["clinical_types"], course=raw["course"],
        facilities=raw["facilities"], admission=raw["admission"])
    check(scenario)
    return scenario


def _series(raw: dict, district: str) -> dict:
    if tuple(raw["columns"]) != COLUMNS:
        raise ScenarioDataError(f"columns must be {COLUMNS}")
    return {datetime.date.fromisoformat(day): dict(zip(COLUMNS, row, strict=True))
            for day, row in raw["series"][district].items()}


def check(scenario: Scenario) -> None:
    """The series covers every day, adds up to the targets and honours the anchors."""
    for district, series in scenario.series.items():
        if sorted(series) != scenario.days:
            raise ScenarioDataError(f"{district}: the series must cover every day "
                                    f"{scenario.start} to {scenario.end}")
        for day, row in series.items():
            if min(row.values()) < 0 or row["reclassified"] > row["confirmed"]:
                raise ScenarioDataError(f"{district} {day}: counts must be >= 0 and "
                                        "reclassified <= confirmed")
    if sorted(scenario.community_share) != scenario.days:
        raise ScenarioDataError("community_share must cover every day")
    _check_targets(scenario)
    _check_anchors(scenario)
    _check_facilities(scenario)


def cumulative(scenario: Scenario, district: str, as_of: datetime.date) -> dict:
    """The bulletin's cumulative figures for one district as of 24:00 on `as_of`."""
    rows = [row for day, row in scenario.series[district].items() if day <= as_of]
    total = {column: sum(row[column] for row in rows) for column in COLUMNS}
    return {
        "confirmed": total["confirmed"],
        "asymptomatic": total["asymptomatic"] - total["reclassified"],
        "discharged": total["discharged"], "released": total["released"],
        "in_hospital": total["confirmed"] - total["discharged"],
        "under_observation": total["asymptomatic"] - total["reclassified"] - total["released"],
        "deaths": 0,
    }


def _check_targets(scenario: Scenario) -> None:
    targets = scenario.targets
    by_district = {d: cumulative(scenario, d, scenario.as_of) for d in scenario.districts}
    for district, expected in targets["by_district"].items():
        got = {key: by_district[district][key] for key in expected}
        if got != expected:
            raise ScenarioDataError(f"{district}: the series gives {got}, the targets {expected}")
    for key, expected in targets.items():
        if key in ("as_of", "by_district"):
            continue
        got = sum(row[key] for row in by_district.values())
        if got != expected:
            raise ScenarioDataError(f"{key}: the series gives {got}, the target is {expected}")


def _check_anchors(scenario: Scenario) -> None:
    for anchor in scenario.anchors:
        row = scenario.day(anchor["district"], datetime.date.fromisoformat(anchor["date"]))
        for key in set(anchor) & set(COLUMNS):
            if row[key] != anchor[key]:
                raise ScenarioDataError(f"anchor {anchor['date']} {anchor['district']} {key}: "
                                        f"series {row[key]}, anchor {anchor[key]}")


def _check_facilities(scenario: Scenario) -> None:
    names = {f["name"] for f in scenario.facilities}
    listed = set(scenario.admission["severe"])
    for district in scenario.districts:
        for kind in ("confirmed", "asymptomatic"):
            listed |= set(scenario.admission[district][kind])
    if listed - names:
        raise ScenarioDataError(f"admission names unknown facilities {sorted(listed - names)}")
    if {f["district"] for f in scenario.facilities} - set(scenario.districts):
        raise ScenarioDataError("every facility must lie in one of the scenario's districts")
