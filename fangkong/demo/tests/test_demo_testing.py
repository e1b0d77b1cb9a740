"""`fangkong demo-testing`: the demo accounts find their site and laboratory, round 1 adds up
with one positive pool followed up, round 2 is open with its schedule, and a second run
changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fangkong.accounts.models import User
from fangkong.control.models import ControlOrder, OrderKind, OrderStatus
from fangkong.demo.seeding import seed_city
from fangkong.demo.users import demo_places
from fangkong.testing import selectors
from fangkong.testing.models import (
    Exemption,
    RetestStatus,
    RoundStatus,
    Sample,
    Slot,
    Tube,
    TubeResult,
)
from fangkong.testing.models import TestRound as Round

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """The command's output, in English so the tests read its words whatever the catalogue."""
    out = StringIO()
    with translation.override("en"):
        call_command("demo_testing", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    seed_city(scale=0.002, seed=1)
    output = run()
    users = {u.username: u for u in User.objects.all()}
    rounds = {r.number: r for r in Round.objects.all()}
    return output, users, rounds, demo_places()


def test_accounts_see_their_sites_and_laboratory(demo):
    _output, users, _rounds, places = demo
    sites = list(selectors.sites_for_user(users["caiyang"]))
    assert sites
    assert all(s.venue.place.path.startswith(places["community"].path) for s in sites)
    assert [lab.code for lab in selectors.labs_for_user(users["jiance"])] == ["sz-cdc"]
    assert selectors.tubes_for_user(users["jiance"]).filter(
        result=TubeResult.POSITIVE).count() == 1


def test_round_one_adds_up_with_a_chase_list_and_exemptions(demo):
    _output, _users, rounds, places = demo
    first = rounds[1]
    assert first.status == RoundStatus.CLOSED
    figures = selectors.coverage_tree(first)[places["street"].path]
    assert figures.sampled + figures.exempt + figures.untested == figures.target
    assert figures.exempt == Exemption.objects.filter(round=first).count() == 2
    assert 0 < figures.untested <= 0.05 * figures.target
    assert figures.results_back == figures.sampled
    assert not Tube.objects.filter(round=first).exclude(status="reported").exists()
    assert selectors.untested(first, places["street"]).count() == figures.untested
    resident = places["person"]
    assert Sample.objects.filter(round=first, person=resident).exists()


def test_one_positive_pool_puts_its_members_under_temporary_control(demo):
    output, users, rounds, places = demo
    positive = Tube.objects.get(round=rounds[1], result=TubeResult.POSITIVE)
    members = set(positive.samples.values_list("person_id", flat=True))
    assert len(members) == 10
    controlled = set(ControlOrder.objects.filter(
        kind=OrderKind.TEMPORARY_CONTROL, status=OrderStatus.ACTIVE,
        basis_ref=f"tube:{positive.barcode}").values_list("person_id", flat=True))
    assert controlled == members
    due = selectors.retests_for_user(users["caiyang"]).filter(status=RetestStatus.DUE)
    assert set(due.values_list("person_id", flat=True)) == members
    assert places["person"].pk not in members
    assert positive.barcode in output and "simulate shuozhou-2022-11" in output


def test_round_two_is_open_today_with_slots_and_nothing_sampled(demo):
    _output, users, rounds, places = demo
    second = rounds[2]
    assert second.status == RoundStatus.OPEN
    assert Slot.objects.filter(round=second).exists()
    assert not Sample.objects.filter(round=second).exists()
    assert selectors.rounds_for_user(users["caiyang"]).filter(pk=second.pk).exists()
    figures = selectors.coverage_tree(second)[places["street"].path]
    assert figures.sampled == 0 and figures.untested == figures.target


def test_a_second_run_changes_nothing(demo):
    counts = (Round.objects.count(), Tube.objects.count(), Sample.objects.count())
    assert "exists already" in run("--if-absent")
    with pytest.raises(CommandError):
        run()
    assert (Round.objects.count(), Tube.objects.count(), Sample.objects.count()) == counts


def test_demo_testing_needs_the_city():
    with pytest.raises(CommandError):
        run()
