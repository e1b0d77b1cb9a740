"""The public check-in page: a signed-in resident checks in with one tap, anyone else with ID
number and phone; a repeated scan is the same check-in and says so; refusals stay on the
form with what was typed; too many attempts from one address are refused."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from fangkong.places.services import venue_create
from fangkong.tracing.models import CheckIn, Source

pytestmark = pytest.mark.django_db


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


@pytest.fixture
def venue(cast):
    return venue_create(acting_user=None, place=cast.compound, name="开发区超市",
                        kind="supermarket")


@pytest.fixture
def frozen():
    """One minute for the whole test: a repeat in the same minute is the same check-in."""
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        yield timezone.localtime()


def page(venue):
    return reverse("tracing:checkin", kwargs={"code": venue.code})


def test_a_resident_checks_in_with_one_tap_and_a_second_tap_changes_nothing(
        cast, venue, login, frozen):
    client = login(cast.jumin)
    body = client.get(page(venue)).content.decode()
    assert 'id="check-in-self"' in body and "张伟" in body and venue.name in body

    response = client.post(page(venue), {"self": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tracing:checkin_done",
                                                     kwargs={"code": venue.code})
    body = response.content.decode()
    assert venue.name in body and frozen.strftime("%H:%M") in body
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.venue, check_in.source) == (cast.zhang, venue, Source.SCAN)

    again = client.post(page(venue), {"self": "1"}, follow=True).content.decode()
    assert CheckIn.objects.count() == 1
    assert zh("Already recorded at %(time)s: nothing more to do.") % {
        "time": frozen.strftime("%H:%M")} in again


def test_anyone_checks_in_with_id_number_and_phone(cast, venue, client, frozen):
    body = client.get(page(venue)).content.decode()
    assert 'id="check-in-self"' not in body and reverse("residents:sign_in") in body
    response = client.post(page(venue), {"id_number": cast.zhang.id_number.lower(),
                                         "phone": "138 0000 1234"}, follow=True)
    assert response.status_code == 200
    assert CheckIn.objects.get().source == Source.FORM
    assert zh("Recorded at %(time)s on %(day)s.") % {
        "time": frozen.strftime("%H:%M"), "day": frozen.strftime("%Y-%m-%d")} in (
        response.content.decode())


def test_refusals_are_shown_on_the_form_with_the_input_kept(cast, venue, client):
    response = client.post(page(venue), {"id_number": cast.zhang.id_number,
                                         "phone": "13900005678"})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="refusal"' in body
    assert f'value="{cast.zhang.id_number}"' in body and 'value="13900005678"' in body

    body = client.post(page(venue), {"id_number": cast.zhang.id_number,
                                     "phone": "12345"}).content.decode()
    assert zh("Enter a valid mobile phone number.") in body.split('id="field-phone"')[1]
    body = client.post(page(venue), {"id_number": "", "phone": "13800001234"}).content.decode()
    assert zh("Enter the ID number.") in body.split('id="field-id_number"')[1]
    assert not CheckIn.objects.exists()


def test_an_unknown_venue_code_is_not_found(cast, client):
    url = reverse("tracing:checkin", kwargs={"code": "V-NOPE"})
    assert client.get(url).status_code == 404
    assert client.post(url, {"id_number": cast.zhang.id_number,
                             "phone": "13800001234"}).status_code == 404


def test_the_confirmation_is_only_for_the_browser_that_checked_in(cast, venue, client):
    assert client.get(reverse("tracing:checkin_done",
                              kwargs={"code": venue.code})).status_code == 404


def test_too_many_attempts_from_one_address_are_refused(cast, venue, client, settings):
    settings.FANGKONG_CHECKINS_PER_HOUR = 2
    for phone in ("13900000001", "13900000002"):  # refused attempts count as well
        assert client.post(page(venue), {"id_number": cast.zhang.id_number,
                                         "phone": phone}).status_code == 400
    response = client.post(page(venue), {"id_number": cast.zhang.id_number,
                                         "phone": "13800001234"})
    assert response.status_code == 429 and 'id="limited"' in response.content.decode()
    assert not CheckIn.objects.exists()
    assert client.get(page(venue)).status_code == 200  # the page itself still opens


def test_the_limit_can_be_turned_off(cast, venue, client, settings):
    settings.FANGKONG_CHECKINS_PER_HOUR = 0
    for _ in range(3):
        response = client.post(page(venue), {"id_number": cast.zhang.id_number,
                                             "phone": "13800001234"})
        assert response.status_code == 302
    assert CheckIn.objects.count() >= 1

