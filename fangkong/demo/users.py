"""One demo account per role on the seeded city, all with the same demo password."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.accounts.services import user_create
from fangkong.people.models import Person
from fangkong.places.models import Level, Place

DEMO_PASSWORD = "fangkong-demo"  # noqa: S105 - published demo password, demo data only
ADULT_AGE = 18
HOME_DISTRICT_CODE = "140602"  # 朔城区, where the demo accounts work

# username, role, which demo place is its scope
DEMO_ACCOUNTS = (
    ("zhihui", Role.COMMAND, "city"),
    ("quxian", Role.DISTRICT, "district"),
    ("jiedao", Role.SUBDISTRICT, "street"),
    ("wangge", Role.COMMUNITY_WORKER, "community"),
    ("louzhang", Role.BUILDING_LEADER, "building"),
    ("liudiao", Role.TRACER, "district"),
    ("caiyang", Role.SAMPLER, "community"),
    ("jiance", Role.LABORATORY, "city"),
    ("yiyuan", Role.HOSPITAL, "city"),
    ("ducha", Role.INSPECTOR, "district"),
    ("jumin", Role.RESIDENT, "person"),
)


class DemoCityMissing(LookupError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role_label: str
    scope_name: str
    password: str = DEMO_PASSWORD


def demo_places() -> dict:
    """The demo accounts' places, picked deterministically: the first street of 朔城区, its
    first community, that community's first building, and its first adult resident."""
    district = Place.objects.filter(level=Level.DISTRICT, code=HOME_DISTRICT_CODE).first()
    if district is None:
        raise DemoCityMissing(HOME_DISTRICT_CODE)
    street = _first(district, Level.SUBDISTRICT)
    community = _first(street, Level.COMMUNITY, rural=False)
    return {"city": district.parent, "district": district, "street": street,
            "community": community, "building": _first(community, Level.BUILDING),
            "person": _first_adult(community)}


def _first(ancestor: Place, level: str, **filters) -> Place:
    return Place.objects.subtree(ancestor).filter(level=level, **filters).order_by("path").first()


def _first_adult(community: Place) -> Person:
    born_by = _years_before(timezone.localdate(), ADULT_AGE)
    return (Person.objects.filter(household__path__startswith=community.path,
                                  birth_date__lte=born_by)
            .order_by("household__path", "id").first())


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def demo_users_ensure() -> list[DemoAccount]:
    """Create the missing demo accounts; existing ones are left as they are."""
    places = demo_places()
    existing = {u.username: u for u in User.objects.filter(
        username__in=[name for name, _, _ in DEMO_ACCOUNTS]).select_related("scope", "person")}
    accounts = []
    for username, role, key in DEMO_ACCOUNTS:
        user = existing.get(username) or _create(username, role, places[key])
        accounts.append(_describe(user))
    return accounts


def _create(username: str, role: str, place) -> User:
    if role == Role.RESIDENT:
        return user_create(acting_user=None, username=username, password=DEMO_PASSWORD,
                           role=role, person=place, display_name=place.name)
    return user_create(acting_user=None, username=username, password=DEMO_PASSWORD, role=role,
                       scope=place)


def _describe(user: User) -> DemoAccount:
    scope = user.person.name if user.role == Role.RESIDENT and user.person else \
        (user.scope.name if user.scope else "")
    return DemoAccount(username=user.username, role_label=str(Role(user.role).label),
                       scope_name=scope)
