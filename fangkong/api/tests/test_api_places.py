"""The place tree through the API: the caller's area, drill-down and venues, all scoped."""

from fangkong.places.services import venue_create


def by_name(items):
    return {item["name"]: item for item in items}


def test_places_answers_the_callers_area_with_counts(cast, login):
    body = login(cast.wangge).get("/api/v1/places").json()
    assert body["name"] == "文远社区" and [b["name"] for b in body["breadcrumbs"]] == ["文远社区"]
    assert body["totals"] == {"residents": 3, "households": 3, "special": 1}
    compound = by_name(body["children"])["开发区小区"]
    assert (compound["residents"], compound["households"], compound["special"]) == (3, 3, 1)


def test_place_detail_shows_breadcrumbs_within_the_area(cast, login):
    body = login(cast.jiedao).get(f"/api/v1/places/{cast.building1.uuid}").json()
    assert [b["name"] for b in body["breadcrumbs"]] == ["北城街道", "文远社区", "开发区小区",
                                                        "1号楼"]
    assert body["level"] == "building" and body["code"] == "1"
    assert by_name(body["children"])["1单元"]["residents"] == 3


def test_places_outside_the_area_answer_404(cast, login):
    client = login(cast.wangge)
    for place in (cast.xinjian, cast.village, cast.city, cast.beicheng):
        assert client.get(f"/api/v1/places/{place.uuid}").status_code == 404


def test_roles_without_the_overview_are_refused(cast, login):
    assert login(cast.jiance).get("/api/v1/places").status_code == 403


def test_venues_are_scoped_and_paginated(cast, login):
    for n in range(3):
        venue_create(acting_user=cast.admin, place=cast.compound, name=f"超市{n}",
                     kind="supermarket")
    venue_create(acting_user=cast.admin, place=cast.village, name="东关药店", kind="pharmacy")
    client = login(cast.wangge)
    body = client.get("/api/v1/venues", {"limit": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert all(v["place"]["name"] == "开发区小区" for v in body["items"])
    assert client.get("/api/v1/venues", {"place": str(cast.village.uuid)}).status_code == 404
    body = login(cast.admin).get("/api/v1/venues", {"place": str(cast.jincheng.uuid)}).json()
    assert [v["name"] for v in body["items"]] == ["东关药店"]


def test_limit_is_capped(cast, login):
    client = login(cast.admin)
    assert client.get("/api/v1/people", {"limit": 201}).status_code == 422
    body = client.get("/api/v1/people", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5 and len(body["items"]) == 2 and body["offset"] == 1


def test_lists_use_a_fixed_number_of_queries(cast, login, django_assert_max_num_queries):
    client = login(cast.admin)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/people").json()["count"] == 5
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/places").json()["children"]) == 2
