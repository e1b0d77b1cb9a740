"""Reads for arrivals: what the rules ask of a traveller, the risk list, and the public
choices of the form (place names only, never people)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from fangkong.arrivals import origins
from fangkong.arrivals.models import ArrivalRegistration, Requirement, RiskLevel, RiskRegion
from fangkong.places.models import PATH_STEP, Level, Place
from fangkong.protocol.models import ProtocolProfile
from fangkong.protocol.plans import NoSuchBasis, PlannedPhase, plan
from fangkong.protocol.selectors import profile_on

# --- the requirement ----------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    requirement: str
    profile: ProtocolProfile
    phases: list[PlannedPhase] = field(default_factory=list)
    local: bool = False
    region: RiskRegion | None = None


def is_local(origin_code: str, city: Place | None) -> bool:
    """The origin lies in the destination's city (same first four digits of the code)."""
    code = getattr(city, "code", "") or ""
    return len(code) == 6 and code.isdigit() and origin_code[:4] == code[:4]


def high_risk_region(origin_code: str, day: datetime.date) -> RiskRegion | None:
    """The high-risk entry in force on `day` for the origin county or its whole city."""
    codes = {origin_code}
    if origins.level_of(origin_code) != origins.PROVINCE:
        codes.add(origin_code[:4] + "00")
    return (RiskRegion.objects.in_force(day).filter(level=RiskLevel.HIGH, code__in=codes)
            .order_by("-valid_from").first())


def requirement_for(origin_code: str, day: datetime.date, city: Place | None) -> Decision:
    """What the profile and the list of risk areas in force on the arrival day ask: home
    isolation after a high-risk area, else the profile's tests for arrivals from low-risk
    areas if it has any, else nothing. Travel within the city asks nothing here.
    Raises ProfileMissing when no profile was in force on `day`."""
    profile = profile_on(day)
    if is_local(origin_code, city):
        return Decision(Requirement.NONE, profile, local=True)
    region = high_risk_region(origin_code, day)
    candidates = ([Requirement.HIGH_RISK_OUTFLOW] if region else []) + [
        Requirement.ARRIVAL_LOW_RISK]
    for requirement in candidates:
        try:
            phases = plan(requirement, day)
        except NoSuchBasis:
            continue
        found = region if requirement == Requirement.HIGH_RISK_OUTFLOW else None
        return Decision(requirement, profile, phases, region=found)
    return Decision(Requirement.NONE, profile, region=region)


# --- the risk list ------------------------------------------------------------------------

def risk_regions(*, day: datetime.date, include_ended: bool = False) -> QuerySet:
    regions = RiskRegion.objects.all() if include_ended else RiskRegion.objects.in_force(day)
    return regions.order_by("level", "code", "-valid_from")


# --- the destination: place names, for anyone ----------------------------------------------

def destination_top() -> QuerySet:
    return Place.objects.filter(level=Level.DISTRICT).only("uuid", "name", "level", "path")


def destination_children(parent: Place) -> QuerySet:
    return parent.children.order_by("path").only("uuid", "name", "level", "path", "parent_id")


def destination_place(public_id) -> Place | None:
    """A place of the tree at district level or below, by UUID (anything else: None)."""
    place = Place.objects.filter(uuid=public_id).first() if public_id else None
    if place is None or place.level == Level.CITY:
        return None
    return place


def destination_chain(place: Place) -> list[Place]:
    """The district down to `place`, for showing a chosen destination again."""
    paths = [place.path[:end] for end in range(PATH_STEP, len(place.path) + 1, PATH_STEP)]
    chain = list(Place.objects.filter(path__in=paths).order_by("path"))
    return [p for p in chain if p.level != Level.CITY]


def city_of(place: Place) -> Place | None:
    return Place.objects.filter(path=place.path[:PATH_STEP], level=Level.CITY).first()


def community_of(place: Place) -> Place | None:
    paths = place.ancestor_paths() + [place.path]
    return Place.objects.filter(path__in=paths, level=Level.COMMUNITY).first()


def address_of(place: Place) -> str:
    """"朔城区 北城街道 文远社区 开发区小区 1号楼 1单元 101"."""
    return " ".join(p.name for p in destination_chain(place))


# --- origins, in the year of the arrival ---------------------------------------------------

def origin_label(code: str, year: int | None = None) -> str:
    return origins.full_name(code, year) if origins.name_of(code, year) or origins.name_of(
        code) else code


# --- registrations ------------------------------------------------------------------------

def registration_by_uuid(public_id) -> ArrivalRegistration | None:
    return (ArrivalRegistration.objects.select_related("household", "profile")
            .filter(uuid=public_id).first())
