"""The cluster list and the chain view: each cluster with its size, generations and first and
last case; the chain view's graph data and its table of cases; scoped like the cases it
draws, and still one bounded page for a cluster of 2,000 cases."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from fangkong.cases.models import Case
from fangkong.cases.tests.util import at, report
from fangkong.lib import idnumber
from fangkong.people.models import Person
from fangkong.tracing import services
from fangkong.tracing.models import Category, Contact, ContactSource, ContactStatus, Setting
from fangkong.tracing.tests.test_chains import exposed
from fangkong.tracing.tests.util import team

CLUSTERS = reverse("tracing:clusters")


def chain_url(key):
    return reverse("tracing:cluster", kwargs={"key": key})


def body_of(response):
    return response.content.decode()


def chain_data(body) -> dict:
    found = re.search(r'<script id="chain-data" type="application/json">(.*?)</script>', body,
                      re.S)
    return json.loads(found.group(1))


@pytest.fixture
def chain(outbreak):
    """张伟 (reported on the 14th, confirmed) → 赵强 (15th) → 王芳 (16th), all of 朔城区."""
    c = outbreak.cast
    first = report(outbreak, c.zhang, "confirmed", day=14)
    exposed(outbreak, first, c.zhao)
    second = report(outbreak, c.zhao, day=15)
    exposed(outbreak, second, c.wang)
    return first, second, report(outbreak, c.wang, day=16)


def test_the_cluster_list_shows_size_generations_and_first_and_last_case(outbreak, chain,
                                                                         login):
    first, _, third = chain
    report(outbreak, outbreak.cast.liu, day=17)  # a case alone is no cluster
    body = body_of(login(outbreak.cast.admin).get(CLUSTERS))
    assert body.count("data-cluster=") == 1
    row = re.search(rf'<tr data-cluster="{first.number}">.*?</tr>', body, re.S).group(0)
    assert 'data-count="size">3<' in row and 'data-count="generations">3<' in row
    assert "2022-11-14" in row and "2022-11-16" in row
    assert f'href="{chain_url(first.number)}"' in row


def test_the_chain_view_draws_the_cases_and_lists_them(outbreak, chain, login):
    first, second, third = chain
    body = body_of(login(outbreak.cast.quxian).get(chain_url(first.number)))
    data = chain_data(body)
    nodes = {n["name"]: n for n in data["nodes"]}
    assert list(nodes) == [first.number, second.number, third.number]
    assert [nodes[case.number]["value"] for case in chain] == [1, 2, 3]
    assert nodes[second.number]["day"] == "2022-11-15"
    assert nodes[first.number]["uuid"] == str(first.uuid)
    assert len(data["links"]) == 2 and data["big"] is False
    assert data["case_url"].replace(data["blank"], str(first.uuid)) == reverse(
        "cases:detail", kwargs={"public_id": first.uuid})
    assert "vendor/echarts-5.6.0.min.js" in body and "tracing/chain.js" in body
    assert "cdn" not in body.lower()
    rows = re.findall(r'<tr data-case="([^"]+)" data-generation="(\d+)"', body)
    assert rows == [(first.number, "1"), (second.number, "2"), (third.number, "3")]


def test_a_cluster_named_by_an_imported_number_with_a_slash_opens(outbreak, login):
    c = outbreak.cast
    first = report(outbreak, c.zhang, day=14, number="朔州/2022/001")
    exposed(outbreak, first, c.zhao)
    report(outbreak, c.zhao, day=15)
    client = login(c.quxian)
    assert f'href="{chain_url(first.number)}"' in body_of(client.get(CLUSTERS))
    assert len(chain_data(body_of(client.get(chain_url(first.number))))["nodes"]) == 2


def test_an_unknown_cluster_is_not_found(outbreak, chain, login):
    assert login(outbreak.cast.admin).get(chain_url("sz-2022-11-99999")).status_code == 404


def test_a_tracer_sees_only_the_clusters_of_their_teams_cases(outbreak, chain, login):
    c = outbreak.cast
    client = login(c.liudiao)
    body = body_of(client.get(CLUSTERS))
    assert 'id="no-clusters"' in body and chain[0].number not in body
    assert client.get(chain_url(chain[0].number)).status_code == 404

    mine = team(c, "追阳一队", c.liudiao)
    for case in chain:
        services.investigation_assign(acting_user=c.quxian, investigation=case.investigation,
                                      team=mine)
    assert f'data-cluster="{chain[0].number}"' in body_of(client.get(CLUSTERS))
    assert len(chain_data(body_of(client.get(chain_url(chain[0].number))))["nodes"]) == 3


def test_another_district_sees_nothing_of_the_cluster(outbreak, chain, login):
    client = login(outbreak.cast.yingxianqu)
    body = body_of(client.get(CLUSTERS))
    assert 'id="no-clusters"' in body and chain[0].number not in body
    assert client.get(chain_url(chain[0].number)).status_code == 404


@pytest.mark.parametrize("who", ["louzhang", "ducha"])
def test_roles_without_tracing_get_403(outbreak, chain, login, who):
    client = login(getattr(outbreak.cast, who))
    assert client.get(CLUSTERS).status_code == 403
    assert client.get(chain_url(chain[0].number)).status_code == 403


def big_cluster(o, size: int) -> list[Case]:
    """`size` cases, each (after the first) infected by the case a third of its number back:
    a tree of eight generations. Written as rows, not through `case_report`: reporting 2,000
    cases through the service (investigation, proposals, audit for each) takes minutes, and
    the chain view only reads cases and their links."""
    c = o.cast
    people = Person.objects.bulk_create(
        Person(name=f"病例{i}", sex="male", household=c.x101,
               birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=i),
               id_number=idnumber.make("140602", datetime.date(1950, 1, 1)
                                       + datetime.timedelta(days=i), 1))
        for i in range(size))
    cases = Case.objects.bulk_create(
        Case(outbreak=o.outbreak, person=person, number=f"big-{i:05d}",
             initial_classification="asymptomatic", classification="asymptomatic",
             reported_at=at(14) + datetime.timedelta(minutes=i), route="community_screening",
             in_control=False, place=c.x101, district=c.shuocheng)
        for i, person in enumerate(people))
    Contact.objects.bulk_create(
        Contact(case=cases[(i - 1) // 3], person=people[i], place=c.x101,
                category=Category.CLOSE, setting=Setting.HOUSEHOLD,
                last_exposure_at=cases[i].reported_at, status=ContactStatus.CONFIRMED,
                source=ContactSource.INTERVIEW, became_case=cases[i])
        for i in range(1, size))
    return cases


def test_a_cluster_of_2000_cases_is_one_bounded_page(outbreak, login,
                                                     django_assert_max_num_queries):
    cases = big_cluster(outbreak, 2000)
    client = login(outbreak.cast.quxian)
    with django_assert_max_num_queries(8):
        response = client.get(chain_url(cases[0].number))
    body = body_of(response)
    data = chain_data(body)
    assert len(data["nodes"]) == 2000 and len(data["links"]) == 1999
    assert data["big"] is True
    assert max(n["value"] for n in data["nodes"]) == 8
    assert 'data-count="size">2000<' in body and 'data-count="generations">8<' in body
    assert body.count("<tr data-case=") == 100  # the table pages; the graph holds them all

    last = body_of(client.get(chain_url(cases[0].number), {"page": 20}))
    assert f'data-case="{cases[-1].number}"' in last

    with django_assert_max_num_queries(8):
        listed = body_of(client.get(CLUSTERS))
    assert f'data-cluster="{cases[0].number}"' in listed
