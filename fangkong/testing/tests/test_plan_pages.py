"""The organisers' pages as each role sees them: rounds planned and opened, the coverage of a
place drilled down the tree, exemptions added and withdrawn with their refusals, sampling
sites and their samplers, and the scoping of every page (a community worker sees only their
community, a building leader only their building, samplers and laboratories no coverage)."""

import pytest
from django.urls import reverse

from fangkong.audit.models import AuditEvent
from fangkong.places.services import venue_create
from fangkong.testing import models, services
from fangkong.testing.models import Exemption, RoundStatus, SamplingSite
from fangkong.testing.tests.util import mass_testing, sample_pool
from fangkong.testing.tests.util_plan import body, data, flash, person, rows

ROUNDS = reverse("testing:rounds")
NEW_ROUND = reverse("testing:round_create")


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def url(name, obj, place=None, **params):
    address = reverse(f"testing:{name}", kwargs={"public_id": obj.uuid})
    query = {**({"place": str(place.uuid)} if place else {}), **params}
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def round_form(cast, **changes):
    data = {"number": "2", "name": "全员核酸 第2轮", "starts_at": "2022-11-24T07:00",
            "ends_at": "2022-11-24T19:00",
            f"risk_{cast.xinjian.uuid.hex}": "high"}
    data.update(changes)
    return data


# --- rounds -------------------------------------------------------------------------------

def test_rounds_list_shows_status_dates_and_profile_to_users_of_the_area(t, login):
    page = body(login(t.cast.wangge).get(ROUNDS))
    [row] = rows(page, "rounds")
    assert data(row, "round") == str(t.round.uuid) and data(row, "status") == "open"
    assert "2022-11-22 07:00" in row and "2022-11-22 19:00" in row
    assert t.round.profile.name in row
    assert 'id="new-round"' in page


def test_rounds_are_hidden_outside_their_places_and_from_roles_without_the_right(t, login,
                                                                                  client):
    page = body(login(t.cast.yingxianqu).get(ROUNDS))
    assert 'id="rounds"' not in page
    assert 'id="new-round"' not in body(login(t.cast.ducha).get(ROUNDS))  # inspector reads
    for user in (t.cast.caiyang, t.cast.jiance, t.cast.yiyuan):
        assert login(user).get(ROUNDS).status_code == 403
    assert login(t.cast.yingxianqu).get(url("round", t.round)).status_code == 404


def test_a_community_worker_plans_a_round_over_their_community(t, login):
    client = login(t.cast.wangge2)
    form = body(client.get(NEW_ROUND))
    assert f'name="risk_{t.cast.xinjian.uuid.hex}"' in form
    assert f'name="risk_{t.cast.wenyuan.uuid.hex}"' not in form  # another community
    response = client.post(NEW_ROUND, round_form(t.cast))
    new = models.TestRound.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == url("round", new)
    assert new.status == RoundStatus.PLANNED
    [rp] = new.round_places.all()
    assert (rp.place, rp.risk_level, rp.per_household) == (t.cast.xinjian, "high", True)
    page = body(client.get(url("round", new)))
    [row] = rows(page, "round-places")
    assert data(row, "per-household") == "1" and new.profile.name in row


def test_a_refused_round_shows_the_errors_and_keeps_what_was_typed(t, login):
    client = login(t.cast.wangge2)
    response = client.post(NEW_ROUND, round_form(
        t.cast, ends_at="2022-11-24T06:00", **{f"risk_{t.cast.xinjian.uuid.hex}": ""}))
    page = body(response)
    assert response.status_code == 400 and models.TestRound.objects.count() == 1
    assert 'value="全员核酸 第2轮"' in page and 'value="2022-11-24T06:00"' in page
    errors = page[page.index('id="field-places"'):]
    assert 'class="errorlist"' in errors  # no place chosen
    assert 'id="field-ends_at"' in page
    ends = page[page.index('id="field-ends_at"'):page.index('id="field-places"')]
    assert 'class="errorlist"' in ends


def test_a_place_outside_the_users_area_cannot_be_slipped_into_a_round(t, login):
    response = login(t.cast.wangge2).post(NEW_ROUND, round_form(
        t.cast, **{f"risk_{t.cast.xinjian.uuid.hex}": "",
                   f"risk_{t.cast.wenyuan.uuid.hex}": "low"}))
    assert response.status_code == 400 and models.TestRound.objects.count() == 1


def test_only_a_user_whose_area_holds_the_whole_round_opens_or_closes_it(t, login):
    worker = login(t.cast.wangge)
    assert 'id="close-round"' not in body(worker.get(url("round", t.round)))
    assert worker.post(url("round_status", t.round), {"status": "closed"}).status_code == 403
    admin = login(t.cast.admin)
    assert 'id="close-round"' in body(admin.get(url("round", t.round)))
    response = admin.post(url("round_status", t.round), {"status": "closed"})
    assert response.status_code == 302
    t.round.refresh_from_db()
    assert t.round.status == RoundStatus.CLOSED
    assert 'id="reopen-round"' in body(admin.get(url("round", t.round)))


def test_the_round_page_drills_coverage_down_the_tree(t, login):
    c = t.cast
    sample_pool(t, "SZ5001", [c.zhang])
    admin = login(c.admin)
    page = body(admin.get(url("round", t.round)))
    [district] = rows(page, "children")
    assert data(district, "place") == str(c.shuocheng.uuid)
    assert (data(district, "target"), data(district, "sampled")) == ("4", "1")
    page = body(admin.get(url("round", t.round, c.beicheng)))
    children = {data(r, "place"): r for r in rows(page, "children")}
    assert set(children) == {str(c.wenyuan.uuid), str(c.xinjian.uuid)}
    assert data(children[str(c.wenyuan.uuid)], "untested") == "2"
    # the community worker starts at their community and cannot climb above it
    worker = login(c.wangge)
    page = body(worker.get(url("round", t.round)))
    [compound] = rows(page, "children")
    assert data(compound, "place") == str(c.compound.uuid)
    assert worker.get(url("round", t.round, c.beicheng)).status_code == 404


# --- coverage -----------------------------------------------------------------------------

def test_a_community_worker_sees_their_units_and_untested_with_phones_audited(t, login):
    c = t.cast
    sample_pool(t, "SZ5002", [c.li])
    page = body(login(c.wangge).get(url("coverage", t.round)))
    groups = {data(r, "place"): r for r in rows(page, "groups")}
    assert data(groups[str(c.unit1.uuid)], "untested") == "2"
    untested = {data(r, "person") for r in rows(page, "untested")}
    assert untested == {str(c.zhang.uuid), str(c.wang.uuid)}
    assert "13800001234" in page  # 张伟's phone, for the chase
    assert AuditEvent.objects.filter(action="testing.untested_view", actor=c.wangge).exists()


def test_another_communitys_coverage_is_404(t, login):
    client = login(t.cast.wangge)
    assert client.get(url("coverage", t.round, t.cast.xinjian)).status_code == 404
    assert client.get(url("chase", t.round, t.cast.xinjian)).status_code == 404
    assert client.get(url("coverage", t.round, place=None, page=1)).status_code == 200


def test_samplers_and_laboratories_see_no_coverage(t, login):
    for user in (t.cast.caiyang, t.cast.jiance):
        client = login(user)
        assert client.get(url("coverage", t.round, t.cast.wenyuan)).status_code == 403
        assert client.get(url("chase", t.round, t.cast.wenyuan)).status_code == 403
        assert client.get(url("round", t.round)).status_code == 403


def test_a_building_leader_sees_their_building_with_phones_masked(t, login):
    c = t.cast
    client = login(c.louzhang)
    page = body(client.get(url("coverage", t.round)))
    assert {data(r, "person") for r in rows(page, "untested")} == {
        str(c.zhang.uuid), str(c.li.uuid), str(c.wang.uuid)}
    assert "13800001234" not in page and "138****1234" in page
    assert client.get(url("coverage", t.round, c.wenyuan)).status_code == 404
    assert 'class="withdraw"' not in page and 'id="new-round"' not in page


def test_the_untested_list_pages(t, login, settings):
    settings.FANGKONG_PAGE_SIZE = 2
    client = login(t.cast.wangge)
    first = body(client.get(url("coverage", t.round)))
    second = body(client.get(url("coverage", t.round, page=2)))
    assert len(rows(first, "untested")) == 2 and len(rows(second, "untested")) == 1
    assert 'class="pager"' in first


def test_the_chase_list_is_printable_with_each_persons_call_down_time(t, login):
    c = t.cast
    services.schedule_build(acting_user=c.wangge, test_round=t.round, place=c.wenyuan)
    page = body(login(c.wangge).get(url("chase", t.round)))
    assert "@media print" in page
    by_person = {data(r, "person"): r for r in rows(page, "untested")}
    assert "11-22 07:00" in by_person[str(c.zhang.uuid)]
    assert t.venue.name in by_person[str(c.zhang.uuid)]


# --- exemptions ---------------------------------------------------------------------------

def test_exempting_a_person_then_withdrawing_it(t, login):
    c = t.cast
    client = login(c.wangge)
    add = url("exempt", t.round)
    found = client.get(add, {"q": c.wang.id_number})
    assert found.status_code == 302 and found["Location"] == f"{add}?person={c.wang.uuid}"
    assert 'id="exempt-form"' in body(client.get(found["Location"]))
    response = client.post(add, {"person": str(c.wang.uuid), "reason": "bedridden",
                                 "note": "卧床，上门采样"})
    assert response.status_code == 302
    exemption = Exemption.objects.get(person=c.wang)
    page = body(client.get(url("coverage", t.round)))
    [row] = rows(page, "exemptions")
    assert data(row, "reason") == "bedridden" and "卧床，上门采样" in row
    assert str(c.wang.uuid) not in "".join(rows(page, "untested"))

    withdraw = url("exempt_withdraw", exemption)
    refused = client.post(withdraw, {"reason": ""})
    assert refused.status_code == 400 and Exemption.objects.filter(pk=exemption.pk).exists()
    done = client.post(withdraw, {"reason": "已能下楼"})
    assert done.status_code == 302 and not Exemption.objects.filter(pk=exemption.pk).exists()
    page = body(client.get(url("coverage", t.round)))
    assert str(c.wang.uuid) in "".join(rows(page, "untested"))


def test_exemptions_are_refused_when_sampled_outside_the_round_or_twice(t, login):
    c = t.cast
    sample_pool(t, "SZ5003", [c.zhang])
    client = login(c.admin)
    add = url("exempt", t.round)

    def refusal(who):
        response = client.post(add, {"person": str(who.uuid), "reason": "away"})
        assert response.status_code == 400
        page = body(response)
        return page[page.index('id="exempt-form"'):]

    assert "errorlist" in refusal(c.zhang)          # already sampled
    assert "errorlist" in refusal(c.liu)            # lives outside the round
    client.post(add, {"person": str(c.li.uuid), "reason": "away"})
    assert "errorlist" in refusal(c.li)             # exempt already
    assert Exemption.objects.count() == 1
    kept = body(client.post(add, {"person": str(c.wang.uuid), "reason": "?", "note": "留言"}))
    assert "留言" in kept


def test_a_community_worker_cannot_exempt_or_withdraw_outside_their_community(t, login):
    c = t.cast
    exemption = services.exemption_record(acting_user=c.wangge2, test_round=t.round,
                                          person=c.zhao, reason="away")
    client = login(c.wangge)
    assert client.post(url("exempt", t.round), {"person": str(c.zhao.uuid),
                                                "reason": "away"}).status_code == 404
    assert client.post(url("exempt_withdraw", exemption), {"reason": "x"}).status_code == 404
    assert login(c.louzhang).get(url("exempt", t.round)).status_code == 403


# --- sites --------------------------------------------------------------------------------

def test_sites_are_listed_in_the_users_area(t, login):
    page = body(login(t.cast.wangge).get(reverse("testing:sites")))
    assert {data(r, "site") for r in rows(page, "sites")} == {str(t.site.uuid)}
    assert "caiyang" in page
    assert login(t.cast.wangge).get(url("site", t.site2)).status_code == 404


def test_a_site_is_made_from_a_venue_in_the_area_and_errors_keep_the_input(t, login):
    c = t.cast
    venue = venue_create(acting_user=None, place=c.building2, name="2号楼前空地", kind="other")
    outside = venue_create(acting_user=None, place=c.xinjian_compound, name="新建广场",
                           kind="other")
    client = login(c.wangge)
    new = reverse("testing:site_create")
    assert venue.code in body(client.get(new)) and outside.code not in body(client.get(new))
    for code in (outside.code, t.venue.code):  # outside the area; already a site
        response = client.post(new, {"venue": code, "points": "3", "per_point_hour": "40"})
        assert response.status_code == 400 and f'value="{code}"' in body(response)
    response = client.post(new, {"venue": venue.code, "points": "0", "per_point_hour": "40"})
    assert response.status_code == 400
    response = client.post(new, {"venue": venue.code.lower(), "points": "3",
                                 "per_point_hour": "40"})
    site = SamplingSite.objects.get(venue=venue)
    assert response["Location"] == url("site", site) and site.per_hour == 120


def test_samplers_are_assigned_from_the_area_and_others_are_kept(t, login):
    c = t.cast
    services.site_assign(acting_user=c.admin, site=t.site, samplers=[c.caiyang, t.caiyang2])
    client = login(c.wangge)
    page = body(client.get(url("site", t.site)))
    assert 'id="samplers-form"' in page and str(t.caiyang2.uuid) not in page
    response = client.post(url("site_samplers", t.site), {"samplers": []})
    assert response.status_code == 302
    assert list(t.site.samplers.all()) == [t.caiyang2]  # not theirs to remove
    client.post(url("site_samplers", t.site), {"samplers": [str(c.caiyang.uuid)]})
    assert set(t.site.samplers.all()) == {c.caiyang, t.caiyang2}
    assert client.post(url("site_samplers", t.site), {"samplers": [str(t.caiyang2.uuid)]}
                       ).status_code == 400
    assert login(c.louzhang).post(url("site_samplers", t.site), {}).status_code == 403


# --- the schedule -------------------------------------------------------------------------

def test_making_the_schedule_reports_and_prints_it(t, login):
    c = t.cast
    client = login(c.wangge)
    page = body(client.get(url("round", t.round)))
    assert 'id="schedule-form"' in page
    response = client.post(url("schedule_build", t.round), {"place": str(c.wenyuan.uuid)})
    assert response["Location"] == url("schedule", t.round, c.wenyuan)
    assert any("1" in m for m in flash(response))
    page = body(client.get(response["Location"]))
    [slot] = rows(page, "slots")
    assert "1号楼" in slot and data(slot, "people") == "3" and "11-22 07:00" in slot
    assert "@media print" in page


def test_a_schedule_for_a_place_outside_the_area_or_a_closed_round_is_refused(t, login):
    c = t.cast
    client = login(c.wangge)
    response = client.post(url("schedule_build", t.round), {"place": str(c.xinjian.uuid)})
    assert response.status_code == 400 and 'id="schedule-form"' in body(response)
    services.round_set_status(acting_user=c.admin, test_round=t.round, status="closed")
    response = client.post(url("schedule_build", t.round), {"place": str(c.wenyuan.uuid)})
    assert response.status_code == 400 and "errorlist" in body(response)


def test_a_building_leader_sees_only_their_buildings_slots(t, login):
    c = t.cast
    person(c, "孙丽", c.h201)
    services.schedule_build(acting_user=c.wangge, test_round=t.round, place=c.wenyuan)
    client = login(c.louzhang)
    page = body(client.get(url("schedule", t.round)))
    [slot] = rows(page, "slots")
    assert "1号楼" in slot and 'id="rebuild"' not in page
    assert client.get(url("schedule", t.round, c.wenyuan)).status_code == 404
    assert client.get(url("schedule", t.round, c.building2)).status_code == 404
    assert len(rows(body(login(c.wangge).get(url("schedule", t.round))), "slots")) == 2
