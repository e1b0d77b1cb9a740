"""Transmission chains: a contact who becomes a case links the two cases; clusters are the
connected components of those links, each case a generation one more than the highest of the
cases it was exposed to; a user sees a cluster only as far as they see its cases."""

import datetime

import pytest

from fangkong.cases.tests.util import report
from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.tracing import services
from fangkong.tracing.chains import cluster_of, clusters_for, graph
from fangkong.tracing.models import Contact

HOUR = datetime.timedelta(hours=1)


def exposed(o, case, person):
    """The tracer records `person` as a close contact of `case`, met two hours before its
    report."""
    return services.contact_record(acting_user=o.cast.admin, case=case, person=person,
                                   category="close", setting="workplace",
                                   last_exposure_at=case.reported_at - 2 * HOUR)


@pytest.fixture
def chain(outbreak):
    """张伟 (reported on the 14th) → 赵强 (15th) → 王芳 (16th)."""
    c = outbreak.cast
    first = report(outbreak, c.zhang, "confirmed", day=14)
    exposed(outbreak, first, c.zhao)
    second = report(outbreak, c.zhao, day=15)
    exposed(outbreak, second, c.wang)
    third = report(outbreak, c.wang, day=16)
    return first, second, third


def test_a_close_contact_reported_later_links_the_two_cases(outbreak):
    c = outbreak.cast
    first = report(outbreak, c.zhang, "confirmed", day=14)
    contact = exposed(outbreak, first, c.zhao)
    assert clusters_for(c.admin) == []

    second = report(outbreak, c.zhao, day=15)
    contact.refresh_from_db()
    assert contact.became_case == second
    [cluster] = clusters_for(c.admin)
    assert cluster.key == first.number
    assert (cluster.size, cluster.generations) == (2, 2)
    assert cluster.links == [(first.pk, second.pk)]
    assert cluster.generation == {first.pk: 1, second.pk: 2}
    assert (cluster.first, cluster.last) == (first, second)


def test_a_case_from_the_second_case_is_the_third_generation(outbreak, chain):
    first, second, third = chain
    [cluster] = clusters_for(outbreak.cast.admin)
    assert (cluster.size, cluster.generations) == (3, 3)
    assert [cluster.generation[case.pk] for case in cluster.cases] == [1, 2, 3]
    assert (cluster.first, cluster.last) == (first, third)


def test_a_case_exposed_to_two_generations_follows_the_later_one(outbreak):
    c = outbreak.cast
    first = report(outbreak, c.zhang, "confirmed", day=14)
    exposed(outbreak, first, c.zhao)
    exposed(outbreak, first, c.wang)
    second = report(outbreak, c.zhao, day=15)
    exposed(outbreak, second, c.wang)
    third = report(outbreak, c.wang, day=16)
    [cluster] = clusters_for(c.admin)
    assert sorted(cluster.links) == sorted([(first.pk, second.pk), (first.pk, third.pk),
                                            (second.pk, third.pk)])
    assert cluster.generation[third.pk] == 3


def test_unrelated_cases_make_no_cluster_of_two(outbreak):
    c = outbreak.cast
    one = report(outbreak, c.zhang, day=14)
    two = report(outbreak, c.zhao, day=15)
    assert clusters_for(c.admin) == []
    singles = clusters_for(c.admin, min_size=1)
    assert sorted(s.key for s in singles) == sorted([one.number, two.number])
    assert all((s.size, s.generations) == (1, 1) for s in singles)


def test_two_chains_are_two_clusters_the_larger_first(outbreak, chain):
    c = outbreak.cast
    other = report(outbreak, c.liu, "confirmed", day=17)
    neighbour = person_create(acting_user=c.admin, name="孙丽", household=c.village_home,
                              id_number=idnumber.make("140622", datetime.date(1979, 4, 2), 8))
    exposed(outbreak, other, neighbour)
    fourth = report(outbreak, neighbour, day=18)
    found = clusters_for(c.admin)
    assert [(k.key, k.size) for k in found] == [(chain[0].number, 3), (other.number, 2)]
    assert found[1].links == [(other.pk, fourth.pk)]


def test_a_proposed_household_contact_reported_later_is_a_link(outbreak):
    c = outbreak.cast
    first = report(outbreak, c.zhang, day=14)
    assert Contact.objects.get(case=first, person=c.li).status == "proposed"
    second = report(outbreak, c.li, day=15)
    [cluster] = clusters_for(c.admin)
    assert cluster.links == [(first.pk, second.pk)]


def test_a_dismissed_contact_reported_later_is_no_link(outbreak):
    c = outbreak.cast
    first = report(outbreak, c.zhang, day=14)
    services.contact_dismiss(acting_user=c.admin, reason="出差在外",
                             contact=Contact.objects.get(case=first, person=c.li))
    report(outbreak, c.li, day=15)
    assert clusters_for(c.admin) == []


def test_a_user_sees_a_cluster_only_as_far_as_its_cases(outbreak):
    """张伟 of 朔城区 infected 刘洋 of 应县: each district sees only its own case."""
    c = outbreak.cast
    first = report(outbreak, c.zhang, "confirmed", day=14)
    exposed(outbreak, first, c.liu)
    second = report(outbreak, c.liu, day=15)
    assert [k.size for k in clusters_for(c.admin)] == [2]
    assert clusters_for(c.quxian) == [] and clusters_for(c.yingxianqu) == []
    assert cluster_of(c.quxian, first.number).cases == [first]
    assert cluster_of(c.yingxianqu, first.number) is None
    assert cluster_of(c.yingxianqu, second.number).cases == [second]
    assert cluster_of(c.admin, "no-such-case") is None


def test_a_tracer_sees_the_clusters_of_their_teams_cases_only(outbreak, chain):
    from fangkong.tracing.tests.util import team

    c = outbreak.cast
    assert clusters_for(c.liudiao) == []  # reported before any team: nobody's yet
    mine = team(c, "追阳一队", c.liudiao)
    for case in chain:
        services.investigation_assign(acting_user=c.quxian, investigation=case.investigation,
                                      team=mine)
    assert [k.size for k in clusters_for(c.liudiao)] == [3]


def test_the_graph_places_each_case_in_its_generations_column(outbreak, chain):
    first, second, third = chain
    data = graph(cluster_of(outbreak.cast.admin, first.number))
    nodes = {n["name"]: n for n in data["nodes"]}
    assert [nodes[case.number]["value"] for case in chain] == [1, 2, 3]
    assert nodes[first.number]["x"] < nodes[second.number]["x"] < nodes[third.number]["x"]
    assert [nodes[case.number]["category"] for case in chain] == [0, 1, 1]  # confirmed first
    assert {(link["source"], link["target"]) for link in data["links"]} == {
        (str(first.uuid), str(second.uuid)), (str(second.uuid), str(third.uuid))}
