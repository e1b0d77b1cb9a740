"""Walk the URLconf: every non-public page is scoped.

For each page, a user with no area sees no resident, and a community worker of 文远社区
opening an object of 新建社区 or 应县 gets 404 (exactly like a missing object). A new URL
with an argument this walk does not know fails here until a sample is added.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC_PREFIXES = ("login", "logout", "i18n", "admin", "api/v1", "static", "me/sign-in")
RESIDENT_NAMES = ["张伟", "李娜", "王芳", "赵强", "刘洋"]
# The public arrival form and its option lists (place names only, no people)
PUBLIC_NAMES = {"arrivals:form", "arrivals:done", "arrivals:options_cities",
                "arrivals:options_counties", "arrivals:options_places",
                "tracing:checkin", "tracing:checkin_done"}  # a venue's public check-in
NOT_OBJECTS = {"fmt"}  # URL arguments that choose a format, not an object
RESIDENT_PAGES = {"residents:status", "residents:check", "residents:appeal"}  # phone sign-in


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def scoped_patterns():
    for route, namespace, entry in walk(get_resolver().url_patterns):
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        if route.startswith(PUBLIC_PREFIXES) or not entry.name or name in PUBLIC_NAMES:
            continue
        yield name, entry


@pytest.fixture
def cast(outbreak):
    """The cast with a case in every community: zhang (文远社区, inside), zhao (新建社区) and liu
    (应县) outside the walking user's area."""
    from fangkong.cases.tests.util import report
    from fangkong.control.tests.util import close_contact

    c = outbreak.cast
    c.inside_case = report(outbreak, c.zhang)
    c.outside_cases = [report(outbreak, c.zhao), report(outbreak, c.liu, "confirmed")]
    c.outside_orders = [close_contact(outbreak, c.zhao, user=c.admin,
                                      case=c.outside_cases[1])]
    c.outside_testing = _outside_testing(c)
    c.outside_venue = _outside_venue(c)
    c.outside_tracing = _outside_tracing(c)
    return c


def _outside_tracing(c):
    """A team of 应县, the outside cases' investigations, a contact of liu's case living in
    新建社区, and an exposure site of that case at a venue of 新建社区."""
    from fangkong.tracing.models import ExposureSite
    from fangkong.tracing.services import contact_record, team_create

    team = team_create(acting_user=c.admin, name="应县一队", place=c.yingxian,
                       members=[c.yingxianqu])
    case = c.outside_cases[1]
    contact = contact_record(acting_user=c.admin, case=case, person=c.zhao, category="close",
                             setting="workplace", last_exposure_at=case.reported_at)
    site = ExposureSite.objects.create(venue=c.outside_venue, case=case,
                                       starts_at=case.reported_at,
                                       ends_at=case.reported_at, visitors=60)
    return [team, contact, site, *(x.investigation for x in c.outside_cases)]


def _outside_venue(c):
    from fangkong.places.services import venue_create

    return venue_create(acting_user=None, place=c.xinjian_compound, name="新建菜市场",
                        kind="market")


def _outside_testing(c):
    """A round over 新建社区 and 东关村 only, its site, a tube with 赵强 in it, an exemption
    of 刘洋 and a retest of 赵强: all outside 文远社区."""
    import datetime
    from zoneinfo import ZoneInfo

    from fangkong.places.services import venue_create
    from fangkong.testing import services
    from fangkong.testing.models import Retest

    def at(hour):
        return datetime.datetime(2022, 11, 22, hour, tzinfo=ZoneInfo("Asia/Shanghai"))

    venue = venue_create(acting_user=None, place=c.xinjian_compound, name="采样点", kind="other")
    site = services.site_create(acting_user=c.admin, venue=venue, points=1, per_point_hour=60)
    services.site_assign(acting_user=c.admin, site=site, samplers=[c.caiyang])
    test_round = services.round_create(acting_user=c.admin, number=9, name="第9轮",
                                       starts_at=at(7), ends_at=at(19),
                                       places=[(c.xinjian, "high"), (c.village, "low")])
    test_round = services.round_set_status(acting_user=c.admin, test_round=test_round,
                                           status="open")
    tube = services.tube_open(acting_user=c.caiyang, test_round=test_round, site=site,
                              barcode="OUT0001", at=at(9))
    services.sample_add(acting_user=c.caiyang, tube=tube, person=c.zhao, at=at(9))
    exemption = services.exemption_record(acting_user=c.admin, test_round=test_round,
                                          person=c.liu, reason="away")
    retest = Retest.objects.create(pool=tube, person=c.zhao)
    return [test_round, site, tube, exemption, retest]


def outside_samples(cast, name, entry):
    """Objects outside 文远社区 that the URL's arguments can name."""
    args = set(entry.pattern.converters)
    if not args:
        return [{}]
    if args == {"public_id"}:
        objects = (cast.zhao, cast.liu, cast.xinjian, cast.yingxian, *cast.outside_cases,
                   *cast.outside_orders, *cast.outside_testing, *cast.outside_tracing)
        return [{"public_id": obj.uuid} for obj in objects] + [{"public_id": uuid.uuid4()}]
    if args == {"public_id", "action"}:
        return ([{"public_id": case.uuid, "action": action} for case in cast.outside_cases
                 for action in ("reclassify", "admit", "discharge", "die")]
                + [{"public_id": order.uuid, "action": action} for order in cast.outside_orders
                   for action in ("test", "check", "release", "cancel", "approve")])
    if args == {"fmt"}:
        return [{"fmt": fmt} for fmt in ("json", "txt", "docx")]
    if args == {"code"}:
        return [{"code": cast.outside_venue.code}, {"code": "V-NOPE"}]
    if args == {"code", "fmt"}:
        return [{"code": cast.outside_venue.code, "fmt": fmt} for fmt in ("png", "pdf")]
    if args == {"key"}:  # a cluster, named by the number of its first case
        return [{"key": case.number} for case in cast.outside_cases] + [{"key": "no-such-case"}]
    if args == {"public_id", "field"}:
        return [{"public_id": cast.zhao.uuid, "field": "id_number"},
                {"public_id": cast.liu.uuid, "field": "phone"}]
    pytest.fail(f"the scoping walk has no sample for {name} {sorted(args)}: add one")


def fetch(client, url):
    return [client.get(url), client.post(url, {})]


@pytest.mark.django_db
def test_every_page_answers_404_for_objects_outside_the_users_area(cast, client):
    client.force_login(cast.wangge)
    checked = 0
    for name, entry in scoped_patterns():
        for kwargs in outside_samples(cast, name, entry):
            if set(kwargs) <= NOT_OBJECTS:
                continue  # no object named: what the page shows is checked for names below
            for response in fetch(client, reverse(name, kwargs=kwargs)):
                assert response.status_code in (403, 404, 405), (name, kwargs, response.status_code)
                checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_a_user_with_no_area_sees_no_one_anywhere(cast, client):
    client.force_login(cast.noscope)
    for name, entry in scoped_patterns():
        for kwargs in outside_samples(cast, name, entry):
            for response in fetch(client, reverse(name, kwargs=kwargs)):
                body = response.content.decode("utf-8", "replace")
                assert not any(n in body for n in RESIDENT_NAMES), (name, kwargs)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(cast, client):
    for name, entry in scoped_patterns():
        for kwargs in outside_samples(cast, name, entry)[:1]:
            response = client.get(reverse(name, kwargs=kwargs))
            sign_in = "/me/sign-in/" if name in RESIDENT_PAGES else "/login/"
            assert response.status_code == 302 and sign_in in response["Location"], name
