from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.demo.seeding import seed_city
from fangkong.demo.users import DEMO_PASSWORD
from fangkong.places.models import Level

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("demo_users", stdout=out)
    return out.getvalue()


@pytest.fixture
def city():
    seed_city(scale=0.002, seed=1)


def test_demo_users_are_created_once_and_listed_every_time(city):
    first = run()
    second = run()
    assert User.objects.count() == len(Role)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert DEMO_PASSWORD in first and "zhihui" in second and "jumin" in second
    assert User.objects.get(username="wangge").check_password(DEMO_PASSWORD)


def test_demo_users_are_scoped_to_shuocheng(city):
    run()
    users = {u.username: u for u in User.objects.select_related("scope", "person__household")}
    assert users["zhihui"].scope.level == Level.CITY
    assert users["jiance"].scope == users["yiyuan"].scope == users["zhihui"].scope
    assert users["quxian"].scope.code == "140602"
    assert users["liudiao"].scope == users["ducha"].scope == users["quxian"].scope
    street = users["jiedao"].scope
    assert street.code == "140602001" and street.parent == users["quxian"].scope
    community = users["wangge"].scope
    assert community.level == Level.COMMUNITY and not community.rural
    assert community.parent == street and community.code == "140602001001"
    assert users["caiyang"].scope == community
    building = users["louzhang"].scope
    assert building.level == Level.BUILDING and community.contains(building)
    resident = users["jumin"]
    assert resident.scope is None and community.contains(resident.person.household)


def test_demo_users_need_the_city():
    with pytest.raises(CommandError):
        run()
