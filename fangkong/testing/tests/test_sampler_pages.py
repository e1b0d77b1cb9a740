"""The sampler's page: choose site and round, open a tube, add people by ID number or from a
unit's list, close the tube; each refusal (already sampled, tube full or closed, barcode
used, unknown person) shown next to the input with what was typed kept; a sampler works
only at their own site; the door-to-door retests."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fangkong.lib import idnumber
from fangkong.people.models import Person, Residency
from fangkong.testing import services
from fangkong.testing.models import Retest, RetestStatus, Sample, Tube, TubeStatus
from fangkong.testing.tests.util import at, mass_testing, result, sample_pool

HOME = "/testing/sampler/"
UNKNOWN = idnumber.make("110101", datetime.date(1990, 3, 7), 77)  # valid; nobody's in the cast


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


@pytest.fixture
def sampler(t, login):
    """caiyang, logged in, sampling at the 文远 site for round 1."""
    client = login(t.cast.caiyang)
    response = client.post(reverse("testing:sampler_choose"),
                           {"site": str(t.site.uuid), "round": str(t.round.uuid)})
    assert response.status_code == 302
    return client


def body(response):
    return response.content.decode()


def block(response, element_id):
    """The text of the element with this id (up to its closing tag)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', body(response), re.S)
    assert match, f"#{element_id} not on the page"
    return re.sub(r"<[^>]+>", " ", match.group(2))


def open_tube(client, barcode):
    return client.post(reverse("testing:sampler_open"), {"barcode": barcode})


def add(client, tube, id_number):
    return client.post(reverse("testing:sampler_add", args=[tube.uuid]),
                       {"id_number": id_number})


def tube_of(barcode):
    return Tube.objects.get(barcode=barcode)


def typed(response, name, value):
    return f'name="{name}" value="{value}"' in body(response) or re.search(
        rf'name="{name}"[^>]*value="{value}"', body(response))


# --- choosing and the happy path ----------------------------------------------------------

def test_the_sampler_chooses_among_their_sites_and_the_choice_is_remembered(t, login):
    client = login(t.cast.caiyang)
    page = client.get(HOME)
    assert page.status_code == 200
    assert t.venue.name in body(page) and t.venue2.name not in body(page)
    assert 'id="choose-form"' in body(page) and 'id="open-form"' not in body(page)
    assert re.search(rf'value="{t.site.uuid}"[^>]*checked', body(page))  # the only one
    client.post(reverse("testing:sampler_choose"),
                {"site": str(t.site.uuid), "round": str(t.round.uuid)})
    page = client.get(HOME)
    assert block(page, "where").count(t.venue.name) == 1
    assert re.search(r'<input[^>]*name="barcode"[^>]*autofocus', body(page))  # scan at once


def test_opening_a_tube_before_choosing_the_site_asks_for_the_choice(t, login):
    client = login(t.cast.caiyang)
    response = open_tube(client, "SZ4999")
    assert response.status_code == 302
    page = client.get(HOME)
    assert block(page, "notice").strip() and 'id="choose-form"' in body(page)
    assert not Tube.objects.exists()


def test_a_sampler_opens_a_tube_adds_two_people_and_sees_the_count(t, sampler):
    c = t.cast
    assert open_tube(sampler, "SZ5001").status_code == 302
    tube = tube_of("SZ5001")
    assert add(sampler, tube, c.zhang.id_number).status_code == 302
    assert add(sampler, tube, c.li.id_number.lower()).status_code == 302  # x/X alike
    page = sampler.get(HOME)
    assert "2 / 10" in block(page, "tube-count")
    members = block(page, "members")
    assert "张伟" in members and "李娜" in members
    assert c.zhang.id_number not in body(page)  # masked in the list
    assert "李娜" in block(page, "notice")
    assert set(Sample.objects.filter(tube=tube).values_list("person__name", flat=True)) == {
        "张伟", "李娜"}


def test_closing_the_tube_early(t, sampler):
    open_tube(sampler, "SZ5002")
    tube = tube_of("SZ5002")
    add(sampler, tube, t.cast.zhang.id_number)
    response = sampler.post(reverse("testing:sampler_close", args=[tube.uuid]))
    assert response.status_code == 302
    tube.refresh_from_db()
    assert tube.status == TubeStatus.CLOSED and tube.size == 1
    page = sampler.get(HOME)
    assert "SZ5002" in block(page, "notice")
    assert 'id="open-form"' in body(page) and 'id="add-form"' not in body(page)


def test_an_empty_tube_cannot_be_closed(t, sampler):
    open_tube(sampler, "SZ5003")
    tube = tube_of("SZ5003")
    response = sampler.post(reverse("testing:sampler_close", args=[tube.uuid]))
    assert response.status_code == 400
    assert block(response, "close-errors").strip()
    assert tube_of("SZ5003").status == TubeStatus.OPEN


def test_a_full_tube_closes_itself(t, sampler):
    open_tube(sampler, "SZ5004")
    tube = tube_of("SZ5004")
    Tube.objects.filter(pk=tube.pk).update(capacity=2)
    add(sampler, tube, t.cast.zhang.id_number)
    add(sampler, tube, t.cast.li.id_number)
    assert tube_of("SZ5004").status == TubeStatus.CLOSED
    page = sampler.get(HOME)
    assert "SZ5004" in block(page, "notice") and 'id="open-form"' in body(page)


def test_the_sampler_can_go_back_to_another_open_tube(t, sampler):
    open_tube(sampler, "SZ5005")
    add(sampler, tube_of("SZ5005"), t.cast.zhang.id_number)
    open_tube(sampler, "SZ5006")
    page = sampler.get(HOME)
    assert block(page, "tube-barcode").strip() == "SZ5006"
    assert "SZ5005" in block(page, "other-tubes")
    sampler.post(reverse("testing:sampler_continue", args=[tube_of("SZ5005").uuid]))
    page = sampler.get(HOME)
    assert block(page, "tube-barcode").strip() == "SZ5005"
    assert "1 / 10" in block(page, "tube-count")


def test_the_page_reads_a_full_tube_in_as_many_queries_as_a_short_one(t, sampler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = t.cast
    open_tube(sampler, "SZ5007")
    params = {"building": str(c.building1.uuid), "unit": str(c.unit1.uuid)}
    add(sampler, tube_of("SZ5007"), c.zhang.id_number)
    with CaptureQueriesContext(connection) as one:
        sampler.get(HOME, params)
    add(sampler, tube_of("SZ5007"), c.li.id_number)
    add(sampler, tube_of("SZ5007"), c.wang.id_number)
    with CaptureQueriesContext(connection) as three:
        page = sampler.get(HOME, params)
    assert "3 / 10" in block(page, "tube-count")
    assert len(three) == len(one)


# --- refusals, each next to the input, with what was typed kept ---------------------------

def test_a_person_already_sampled_is_refused_with_the_tube_and_time(t, sampler):
    c = t.cast
    open_tube(sampler, "SZ6001")
    add(sampler, tube_of("SZ6001"), c.zhang.id_number)
    sampler.post(reverse("testing:sampler_close", args=[tube_of("SZ6001").uuid]))
    open_tube(sampler, "SZ6002")
    response = add(sampler, tube_of("SZ6002"), c.zhang.id_number)
    assert response.status_code == 400
    refusal = block(response, "add-errors")
    assert "SZ6001" in refusal and re.search(r"\d\d:\d\d", refusal)
    assert typed(response, "id_number", c.zhang.id_number)
    assert Sample.objects.filter(person=c.zhang).count() == 1


def test_a_full_tube_is_refused(t, sampler):
    open_tube(sampler, "SZ6003")
    tube = tube_of("SZ6003")
    add(sampler, tube, t.cast.zhang.id_number)
    Tube.objects.filter(pk=tube.pk).update(capacity=1)  # another device filled it
    response = add(sampler, tube, t.cast.li.id_number)
    assert response.status_code == 400
    assert "SZ6003" in block(response, "add-errors")
    assert typed(response, "id_number", t.cast.li.id_number)
    assert not Sample.objects.filter(person=t.cast.li).exists()


def test_a_closed_tube_is_refused(t, sampler):
    open_tube(sampler, "SZ6004")
    tube = tube_of("SZ6004")
    add(sampler, tube, t.cast.zhang.id_number)
    sampler.post(reverse("testing:sampler_close", args=[tube.uuid]))
    response = add(sampler, tube, t.cast.li.id_number)
    assert response.status_code == 400
    assert "SZ6004" in block(response, "add-errors")
    assert typed(response, "id_number", t.cast.li.id_number)
    assert 'id="open-form"' in body(response)  # the next step: a new tube


def test_a_used_barcode_is_refused(t, sampler):
    open_tube(sampler, "SZ6005")
    add(sampler, tube_of("SZ6005"), t.cast.zhang.id_number)
    sampler.post(reverse("testing:sampler_close", args=[tube_of("SZ6005").uuid]))
    response = open_tube(sampler, "SZ6005")
    assert response.status_code == 400
    assert "SZ6005" in block(response, "open-errors")
    assert typed(response, "barcode", "SZ6005")
    assert Tube.objects.filter(barcode="SZ6005").count() == 1


def test_a_bad_barcode_is_refused(t, sampler):
    response = open_tube(sampler, "SZ 1!")
    assert response.status_code == 400
    assert block(response, "open-errors").strip()
    assert typed(response, "barcode", "SZ 1!")
    assert not Tube.objects.exists()


def test_a_mistyped_id_number_is_refused_without_offering_registration(t, sampler):
    open_tube(sampler, "SZ6006")
    wrong = t.cast.zhang.id_number[:-1] + ("0" if t.cast.zhang.id_number[-1] != "0" else "1")
    response = add(sampler, tube_of("SZ6006"), wrong)
    assert response.status_code == 400
    assert block(response, "add-errors").strip()
    assert typed(response, "id_number", wrong)
    assert 'id="visitor-form"' not in body(response)


def test_an_unknown_person_is_registered_as_a_visitor_and_added_in_two_taps(t, sampler):
    open_tube(sampler, "SZ6007")
    tube = tube_of("SZ6007")
    response = add(sampler, tube, UNKNOWN)
    assert response.status_code == 400
    assert block(response, "add-errors").strip()
    assert typed(response, "id_number", UNKNOWN)
    assert typed(response, "visitor-id_number", UNKNOWN)  # prefilled: only the name to type
    response = sampler.post(reverse("testing:sampler_visitor", args=[tube.uuid]), {
        "visitor-id_number": UNKNOWN, "visitor-name": "路人甲", "visitor-phone": ""})
    assert response.status_code == 302
    visitor = Person.objects.get(id_number=UNKNOWN)
    assert visitor.name == "路人甲" and visitor.residency == Residency.VISITOR
    assert visitor.household.path.startswith(t.venue.place.path)
    assert Sample.objects.filter(tube=tube, person=visitor).exists()
    assert "路人甲" in block(sampler.get(HOME), "members")


def test_a_visitor_without_a_name_is_refused_and_the_number_kept(t, sampler):
    open_tube(sampler, "SZ6008")
    tube = tube_of("SZ6008")
    response = sampler.post(reverse("testing:sampler_visitor", args=[tube.uuid]), {
        "visitor-id_number": UNKNOWN, "visitor-name": " ", "visitor-phone": "12"})
    assert response.status_code == 400
    assert typed(response, "visitor-id_number", UNKNOWN)
    assert 'id="visitor-form"' in body(response)
    assert not Person.objects.filter(id_number=UNKNOWN).exists()


# --- the unit's list ----------------------------------------------------------------------

def test_picking_from_a_units_list_of_people_not_yet_sampled(t, sampler):
    c = t.cast
    open_tube(sampler, "SZ7001")
    tube = tube_of("SZ7001")
    page = sampler.get(HOME, {"building": str(c.building1.uuid), "unit": str(c.unit1.uuid)})
    people = block(page, "unit-people")
    assert "张伟" in people and "李娜" in people and "王芳" in people
    assert "赵强" not in body(page)  # 新建社区: not in this community, not in the area
    response = sampler.post(reverse("testing:sampler_pick", args=[tube.uuid]),
                            {"person": str(c.zhang.uuid)})
    assert response.status_code == 302
    assert Sample.objects.filter(tube=tube, person=c.zhang).exists()
    page = sampler.get(HOME)  # the unit is remembered
    assert "张伟" not in block(page, "unit-people") and "李娜" in block(page, "unit-people")


def test_picking_someone_sampled_already_is_refused_in_the_list(t, sampler):
    c = t.cast
    sample_pool(t, "SZ7002", [c.zhang])
    open_tube(sampler, "SZ7003")
    response = sampler.post(reverse("testing:sampler_pick", args=[tube_of("SZ7003").uuid]),
                            {"person": str(c.zhang.uuid)})
    assert response.status_code == 400
    assert "SZ7002" in block(response, "pick-errors")


def test_a_unit_outside_the_area_lists_no_one(t, sampler):
    page = sampler.get(HOME, {"building": str(t.cast.xinjian_building.uuid),
                              "unit": str(t.cast.xinjian_unit.uuid)})
    assert page.status_code == 200
    assert "赵强" not in body(page) and 'id="unit-people"' not in body(page)


# --- scope and roles ----------------------------------------------------------------------

def test_a_sampler_sees_and_works_only_at_their_own_site(t, login):
    c = t.cast
    tube = services.tube_open(acting_user=c.caiyang, test_round=t.round, site=t.site,
                              barcode="SZ8001", at=at(22, 9))
    client = login(t.caiyang2)
    page = client.get(HOME)
    assert t.venue2.name in body(page) and t.venue.name not in body(page)
    response = client.post(reverse("testing:sampler_choose"),
                           {"site": str(t.site.uuid), "round": str(t.round.uuid)})
    assert response.status_code == 400
    assert add(client, tube, c.zhao.id_number).status_code == 404
    assert client.post(reverse("testing:sampler_close", args=[tube.uuid])).status_code == 404
    assert client.post(reverse("testing:sampler_pick", args=[tube.uuid]),
                       {"person": str(c.zhang.uuid)}).status_code == 404
    assert not Sample.objects.exists() and tube_of("SZ8001").status == TubeStatus.OPEN


def test_a_sampler_cannot_pick_a_person_outside_their_area(t, sampler):
    open_tube(sampler, "SZ8002")
    response = sampler.post(reverse("testing:sampler_pick", args=[tube_of("SZ8002").uuid]),
                            {"person": str(t.cast.zhao.uuid)})
    assert response.status_code == 404
    assert not Sample.objects.exists()


def test_a_high_risk_site_takes_one_household_per_tube(t, login):
    c = t.cast
    client = login(t.caiyang2)
    client.post(reverse("testing:sampler_choose"),
                {"site": str(t.site2.uuid), "round": str(t.round.uuid)})
    open_tube(client, "XJ0001")
    tube = tube_of("XJ0001")
    assert tube.per_household
    assert add(client, tube, c.zhao.id_number).status_code == 302
    response = add(client, tube, c.wang.id_number)  # a visitor from another household
    assert response.status_code == 400 and block(response, "add-errors").strip()


@pytest.mark.parametrize("username", ["wangge", "jiance", "zhihui", "louzhang", "jumin"])
def test_other_roles_are_refused_the_sampler_pages(t, client, username):
    user = next(u for u in vars(t.cast).values() if getattr(u, "username", None) == username)
    client.force_login(user)
    tube = services.tube_open(acting_user=t.cast.caiyang, test_round=t.round, site=t.site,
                              barcode="SZ8003", at=at(22, 9))
    assert client.get(HOME).status_code == 403
    assert client.get(reverse("testing:retests")).status_code == 403
    assert open_tube(client, "SZ8004").status_code == 403
    assert add(client, tube, t.cast.zhang.id_number).status_code == 403
    assert not Sample.objects.exists() and Tube.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- door-to-door retests -----------------------------------------------------------------

@pytest.fixture
def positive(t):
    c = t.cast
    sample_pool(t, "SZ9001", [c.zhang, c.li, c.wang])
    services.tubes_receive(acting_user=c.jiance, lab=t.lab, barcodes=["SZ9001"], at=at(22, 12))
    services.results_record(acting_user=c.jiance, lab=t.lab, via="api", rows=[
        result("SZ9001", "positive", Decimal("28.1"), Decimal("30.2"))])
    return {r.person_id: r for r in Retest.objects.all()}


def test_retests_due_are_listed_by_unit_with_masked_phones(t, positive, sampler):
    page = sampler.get(reverse("testing:retests"))
    assert page.status_code == 200
    text = body(page)
    assert "1号楼" in text and "1单元" in text
    assert "张伟" in text and "李娜" in text and "王芳" in text
    assert "138****1234" in text and "13800001234" not in text
    assert "SZ9001" in text


def test_a_retest_is_sampled_by_its_single_tube(t, positive, sampler):
    retest = positive[t.cast.zhang.pk]
    response = sampler.post(reverse("testing:retest_sample", args=[retest.uuid]),
                            {"barcode": "RT9001"})
    assert response.status_code == 302
    retest.refresh_from_db()
    assert retest.status == RetestStatus.SAMPLED and retest.tube.barcode == "RT9001"
    page = sampler.get(reverse("testing:retests"))
    assert "RT9001" in block(page, "notice")
    assert f'id="retest-{retest.uuid}"' not in body(page)


def test_a_retest_with_a_used_barcode_is_refused_in_its_row(t, positive, sampler):
    retest = positive[t.cast.li.pk]
    response = sampler.post(reverse("testing:retest_sample", args=[retest.uuid]),
                            {"barcode": "SZ9001"})
    assert response.status_code == 400
    row = body(response).split(f'id="retest-{retest.uuid}"')[1].split("</li>")[0]
    assert "SZ9001" in re.sub(r"<[^>]+>", " ", row.split("errorlist")[1])
    assert 'value="SZ9001"' in row
    assert Retest.objects.get(pk=retest.pk).status == RetestStatus.DUE


def test_a_sampler_of_another_area_sees_and_takes_no_retest_here(t, positive, login):
    client = login(t.caiyang2)
    page = client.get(reverse("testing:retests"))
    assert "张伟" not in body(page) and 'id="no-retests"' in body(page)
    retest = positive[t.cast.zhang.pk]
    response = client.post(reverse("testing:retest_sample", args=[retest.uuid]),
                           {"barcode": "RT9002"})
    assert response.status_code == 404
    assert Retest.objects.get(pk=retest.pk).status == RetestStatus.DUE
