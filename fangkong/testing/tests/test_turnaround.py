"""Turnaround (采送检报) on known times: median hours closed → received → reported per
laboratory, the share within the profile's target (24 h), the tubes outstanding oldest
first, and the closed tubes no laboratory has received."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from fangkong.testing import selectors, services
from fangkong.testing.tests.lab_util import tube
from fangkong.testing.tests.util import at, mass_testing, result


def report(t, barcode, when):
    """The laboratory reports `barcode` negative at `when`, tested half an hour before."""
    with time_machine.travel(when, tick=False):
        services.results_record(acting_user=t.cast.jiance, lab=t.lab, via="api", rows=[
            result(barcode, when=when - datetime.timedelta(minutes=30))])


@pytest.fixture
def t(cast, outbreak):
    t = mass_testing(cast)
    # reported: hours to receive / to report / in all
    tube(t, "TA0001", received=at(22, 12))                       # 2 / 8 / 10
    tube(t, "TA0002", received=at(22, 14))                       # 4 / 26 / 30: late
    tube(t, "TA0003", closed=at(22, 11), received=at(22, 13))    # 2 / 8 / 10
    report(t, "TA0001", at(22, 20))
    report(t, "TA0003", at(22, 21))
    report(t, "TA0002", at(23, 16))
    # outstanding at the laboratory, and elsewhere
    tube(t, "TA0004", closed=at(22, 10, 30), received=at(22, 15))
    tube(t, "TA0005", closed=at(22, 9, 30), received=at(22, 16))
    tube(t, "TA0006", received=at(22, 17), lab=t.lab2)
    tube(t, "TA0007", closed=at(22, 11))  # closed at the site, never sent
    tube(t, "TA0008", closed=at(22, 10, 15))
    return t


def test_medians_share_within_target_and_oldest_outstanding(t):
    [lab] = selectors.turnaround(t.cast.jiance, target_hours=24)
    assert lab.lab == t.lab and lab.reported == 3
    assert (lab.median_to_receive, lab.median_to_report, lab.median_total) == (2, 8, 10)
    assert lab.within_target == pytest.approx(2 / 3)
    assert lab.outstanding == 2
    assert [tube.barcode for tube in lab.oldest] == ["TA0005", "TA0004"]


def test_the_target_decides_the_share(t):
    [lab] = selectors.turnaround(t.cast.jiance, target_hours=30)
    assert lab.within_target == 1
    [lab] = selectors.turnaround(t.cast.jiance, target_hours=9.5)
    assert lab.within_target == 0


def test_since_counts_only_tubes_closed_from_then(t):
    [lab] = selectors.turnaround(t.cast.jiance, target_hours=24, since=at(22, 10, 45))
    assert (lab.reported, lab.median_total, lab.within_target) == (1, 10, 1)


def test_the_command_centre_sees_every_laboratory_and_the_unsent_tubes(t):
    labs = {lab.lab.code: lab for lab in selectors.turnaround(t.cast.admin, target_hours=24)}
    assert set(labs) == {"sz-cdc", "third"}
    assert (labs["third"].reported, labs["third"].outstanding) == (0, 1)
    assert labs["third"].median_total is None and labs["third"].within_target is None
    assert [tube.barcode for tube in selectors.unsent_tubes(t.cast.admin)] == [
        "TA0008", "TA0007"]
    assert not selectors.unsent_tubes(t.cast.jiance).exists()


def test_the_page_shows_the_figures(t, login, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = login(t.cast.jiance).get(reverse("testing:turnaround"))
    html = response.content.decode()
    assert response.context["target"] == 24
    section = html[html.index('id="lab-sz-cdc"'):]
    for figure in ('class="reported">3<', 'class="to-receive">2.0<', 'class="to-report">8.0<',
                   'class="total">10.0<', 'class="within">67%<', 'class="outstanding">2<'):
        assert figure in section
    assert section.index('data-barcode="TA0005"') < section.index('data-barcode="TA0004"')
    assert "third" not in html and "TA0006" not in html


def test_the_api_gives_the_same_figures(t, login):
    body = login(t.cast.admin).get("/api/v1/testing/turnaround").json()
    lab = next(lab for lab in body["labs"] if lab["lab"]["code"] == "sz-cdc")
    assert (lab["reported"], lab["median_hours_to_receive"], lab["median_hours_to_report"],
            lab["median_hours_total"], lab["outstanding"]) == (3, 2, 8, 10, 2)
    assert lab["within_target"] == pytest.approx(2 / 3)
    assert [tube["barcode"] for tube in lab["oldest"]] == ["TA0005", "TA0004"]
    assert (body["unsent"], [t["barcode"] for t in body["unsent_oldest"]]) == (
        2, ["TA0008", "TA0007"])
