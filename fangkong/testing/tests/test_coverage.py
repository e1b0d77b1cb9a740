"""Coverage (应检尽检) as the organisers read it: sampled + exempt + untested = target at
every level; an exempt person who is then sampled counts as sampled; an open case and a
person in centralised isolation are exempt without anyone entering it; results back count
once a tube is reported. The coverage page and chase list cost the same few queries however
many people live under the place."""

import re

import pytest
from django.urls import reverse

from fangkong.cases.tests.util import report
from fangkong.control.tests.util import close_contact
from fangkong.testing import services
from fangkong.testing.tests.util import mass_testing, result, sample_pool
from fangkong.testing.tests.util_plan import body, data, person, rows, units

API = "/api/v1/testing"


@pytest.fixture
def t(cast, outbreak):
    """The round of util.mass_testing, and 孙丽 in 2号楼 1单元 201 (文远社区)."""
    t = mass_testing(cast)
    t.sun = person(cast, "孙丽", cast.h201, phone="13500001111")
    return t


@pytest.fixture
def covered(t, outbreak):
    """张伟 sampled; 李娜 exempted (away) and then sampled all the same; 王芳 an open case;
    赵强 (新建社区) in centralised isolation; 孙丽 untested."""
    c = t.cast
    services.exemption_record(acting_user=c.wangge, test_round=t.round, person=c.li,
                              reason="away")
    sample_pool(t, "SZ7001", [c.zhang, c.li])
    report(outbreak, c.wang, "confirmed")
    close_contact(outbreak, c.zhao, user=c.admin)
    return t


def coverage_url(t, place):
    return (reverse("testing:coverage", kwargs={"public_id": t.round.uuid})
            + f"?place={place.uuid}")


def figures(page) -> dict:
    return {name: int(page.split(f'data-figure="{name}"><b>')[1].split("<")[0])
            for name in ("target", "sampled", "exempt", "untested", "results_back")}


def test_sampled_exempt_and_untested_add_up_to_the_target(covered, login):
    c = covered.cast
    page = body(login(c.admin).get(coverage_url(covered, c.beicheng)))
    assert figures(page) == {"target": 5, "sampled": 2, "exempt": 2, "untested": 1,
                             "results_back": 0}
    arithmetic = page[page.index('id="arithmetic"'):].split("</p>")[0]
    assert sorted(re.findall(r"\d+", arithmetic)) == ["1", "2", "2", "5"]
    assert [data(r, "person") for r in rows(page, "untested")] == [str(covered.sun.uuid)]
    exempt = {data(r, "person"): data(r, "reason") for r in rows(page, "exemptions")}
    assert exempt == {str(c.wang.uuid): "case", str(c.zhao.uuid): "centralised"}


def test_an_exempt_person_who_is_sampled_counts_as_sampled(covered, login):
    c = covered.cast
    page = body(login(c.wangge).get(coverage_url(covered, c.wenyuan)))
    assert str(c.li.uuid) not in "".join(rows(page, "exemptions"))
    units = {data(r, "place"): r for r in rows(page, "groups")}
    unit1 = units[str(c.unit1.uuid)]
    assert (data(unit1, "target"), data(unit1, "sampled"), data(unit1, "exempt"),
            data(unit1, "untested")) == ("3", "2", "1", "0")


def test_every_level_adds_up_through_the_api(covered, login):
    c = covered.cast
    client = login(c.admin)
    for place in (c.city, c.beicheng, c.wenyuan, c.xinjian, c.building1, c.unit2):
        answer = client.get(f"{API}/rounds/{covered.round.uuid}/coverage",
                            {"place": str(place.uuid)}).json()
        total = answer["totals"]
        assert total["sampled"] + total["exempt"] + total["untested"] == total["target"]
        assert sum(g["target"] for g in answer["groups"]) == total["target"], place.name
        listed = client.get(f"{API}/rounds/{covered.round.uuid}/untested",
                            {"place": str(place.uuid)}).json()["count"]
        assert listed == total["untested"], place.name


def test_results_back_count_once_the_tube_is_reported(covered, login):
    c = covered.cast
    services.results_record(acting_user=c.jiance, lab=covered.lab, via="api",
                            rows=[result("SZ7001")])
    page = body(login(c.wangge).get(coverage_url(covered, c.wenyuan)))
    assert figures(page)["results_back"] == 2


@pytest.mark.parametrize("name", ["coverage", "chase"])
def test_the_community_page_costs_the_same_queries_for_more_people(
        t, login, django_assert_max_num_queries, name):
    c = t.cast
    client = login(c.wangge)
    address = reverse(f"testing:{name}", kwargs={"public_id": t.round.uuid})
    services.exemption_record(acting_user=c.wangge, test_round=t.round, person=c.wang,
                              reason="bedridden")
    services.schedule_build(acting_user=c.wangge, test_round=t.round, place=c.wenyuan)
    with django_assert_max_num_queries(32) as few:
        assert client.get(address).status_code == 200
    units(c, c.compound, buildings=3, units_each=2, households_each=3, people_each=2)
    sample_pool(t, "SZ7002", [c.zhang])
    services.schedule_build(acting_user=c.wangge, test_round=t.round, place=c.wenyuan)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = body(client.get(address))
    assert len(rows(page, "untested")) >= 36
    assert len(many.captured_queries) <= len(few.captured_queries)
