"""Who may open which page: the matrix of roles × views, written out by hand."""

import pytest
from django.urls import reverse

from fangkong.testing.tests.util import mass_testing

ALL = {"zhihui", "quxian", "jiedao", "wangge", "louzhang", "liudiao", "caiyang", "jiance",
       "yiyuan", "ducha", "jumin"}
STAFF = {"zhihui", "quxian", "jiedao", "wangge"}
ALLOWED = {
    "overview": STAFF | {"louzhang", "liudiao", "caiyang", "ducha"},
    "registry": STAFF | {"louzhang", "liudiao", "caiyang"},
    "detail": STAFF | {"louzhang", "liudiao", "caiyang", "jumin"},
    "create": STAFF,
    "edit": STAFF,
    "reveal": STAFF | {"liudiao"},
    "export": STAFF,
    "import": STAFF,
    "tokens": {"zhihui"},
    "merge": {"zhihui", "quxian", "jiedao"},
    "cases": STAFF | {"liudiao", "yiyuan"},
    "case": STAFF | {"liudiao", "yiyuan"},
    "report_case": {"zhihui", "quxian", "liudiao"},
    "facilities": STAFF | {"liudiao", "yiyuan"},
    "bulletin": STAFF | {"ducha"},
    "dashboard": STAFF | {"ducha"},
    "orders": STAFF | {"liudiao"},
    "place_under_control": STAFF | {"liudiao"},
    "approvals": {"zhihui", "yiyuan"},
    "ledger": STAFF | {"liudiao"},
    "protocol": STAFF | {"liudiao"},
    "risk_regions": {"zhihui"},
    "inbox": ALL - {"jumin"},
    "my_status": {"jumin"},
    "test_rounds": STAFF | {"louzhang", "ducha"},
    "test_round": STAFF | {"louzhang", "ducha"},
    "coverage": STAFF | {"louzhang", "ducha"},
    "plan_round": STAFF,
    "sampling_sites": STAFF | {"louzhang", "ducha"},
    "sampler": {"caiyang"},
    "retests": {"caiyang"},
    "lab": {"jiance"},
    "turnaround": STAFF | {"louzhang", "ducha", "jiance"},
    "investigations": STAFF | {"liudiao"},
    "investigation": STAFF | {"liudiao"},
    "record_contact": {"zhihui", "quxian", "liudiao"},
    "contacts": STAFF | {"liudiao"},
    "exposure_sites": STAFF | {"liudiao"},
    "tracing_teams": STAFF | {"liudiao"},
    "tracing_dashboard": STAFF | {"liudiao"},
    "unassigned": {"zhihui", "quxian"},
    "clusters": STAFF | {"liudiao"},
}


@pytest.fixture
def cast(outbreak):
    """zhang (1号楼 of 文远社区, inside every staff user's area) is a case held in the city's
    hospital, so the hospital user may open it, and investigated by the tracer's team."""
    from fangkong.cases.services import case_admit
    from fangkong.cases.tests.util import at, report
    from fangkong.tracing.tests.util import team

    c = outbreak.cast
    team(c)
    c.case = report(outbreak, c.zhang, "confirmed")
    case_admit(acting_user=c.admin, case=c.case, facility=outbreak.hospital, at=at(14, 12))
    c.testing = mass_testing(c)
    return c


def url_for(view, cast):
    person = cast.zhang
    return {
        "cases": reverse("cases:register"),
        "case": reverse("cases:detail", kwargs={"public_id": cast.case.uuid}),
        "report_case": reverse("cases:report"),
        "facilities": reverse("cases:facilities"),
        "bulletin": reverse("reports:bulletin") + "?date=2022-11-28",
        "dashboard": reverse("reports:dashboard") + "?date=2022-11-28",
        "orders": reverse("control:register"),
        "place_under_control": reverse("control:create"),
        "approvals": reverse("control:approvals"),
        "ledger": reverse("control:ledger", kwargs={"slug": "home-isolation"}),
        "protocol": reverse("protocol:list"),
        "risk_regions": reverse("arrivals:risk_regions"),
        "inbox": reverse("inbox:list"),
        "my_status": reverse("residents:status"),
        "test_rounds": reverse("testing:rounds"),
        "test_round": reverse("testing:round", kwargs={"public_id": cast.testing.round.uuid}),
        "coverage": reverse("testing:coverage", kwargs={"public_id": cast.testing.round.uuid}),
        "plan_round": reverse("testing:round_create"),
        "sampling_sites": reverse("testing:sites"),
        "sampler": reverse("testing:sampler"),
        "retests": reverse("testing:retests"),
        "lab": reverse("testing:lab"),
        "turnaround": reverse("testing:turnaround"),
        "investigations": reverse("tracing:investigations"),
        "investigation": reverse("tracing:investigation",
                                 kwargs={"public_id": cast.case.investigation.uuid}),
        "record_contact": reverse("tracing:contact_add",
                                  kwargs={"public_id": cast.case.investigation.uuid}),
        "contacts": reverse("tracing:contacts"),
        "exposure_sites": reverse("tracing:exposure_sites"),
        "tracing_teams": reverse("tracing:teams"),
        "tracing_dashboard": reverse("tracing:dashboard"),
        "unassigned": reverse("tracing:unassigned"),
        "clusters": reverse("tracing:clusters"),
        "overview": reverse("places:overview"),
        "registry": reverse("people:registry"),
        "detail": reverse("people:detail", kwargs={"public_id": person.uuid}),
        "create": reverse("people:create"),
        "edit": reverse("people:edit", kwargs={"public_id": person.uuid}),
        "reveal": reverse("people:reveal", kwargs={"public_id": person.uuid, "field": "phone"}),
        "export": reverse("people:export"),
        "import": reverse("people:import"),
        "tokens": reverse("accounts:tokens"),
        "merge": reverse("people:merge", kwargs={"public_id": person.uuid}),
    }[view]


@pytest.mark.django_db
@pytest.mark.parametrize("view", sorted(ALLOWED))
def test_role_matrix(cast, client, view):
    for username in sorted(ALL):
        user = cast.admin if username == "zhihui" else getattr(cast, username)
        client.force_login(user)
        url = url_for(view, cast)
        response = client.post(url) if view == "reveal" else client.get(url)
        allowed = response.status_code == 200
        assert allowed == (username in ALLOWED[view]), (view, username, response.status_code)
