"""Signing in with a phone and a one-time code: the code reaches the console, works once
within five minutes and five tries, requests are rate limited, unknown numbers get the very
same answers, and a family sharing a number chooses who signs in — and only among
themselves."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.audit.models import AuditEvent
from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.residents import services
from fangkong.residents.models import OneTimeCode
from fangkong.residents.tests.util import LI_PHONE, UNKNOWN_PHONE, ZHANG_PHONE

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("residents:sign_in")
CODE = reverse("residents:sign_in_code")
CHOOSE = reverse("residents:sign_in_choose")
STATUS = reverse("residents:status")


def ask(client, phone):
    return client.post(SIGN_IN, {"phone": phone})


def enter(client, code):
    return client.post(CODE, {"code": code})


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def other(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def errors(response, field="code"):
    return list(response.context["form"].errors.get(field, []))


def test_a_resident_signs_in_with_the_code_sent_to_their_phone(cast, client, sent, now):
    response = ask(client, "139 0000 5678")
    assert response.status_code == 302 and response["Location"] == CODE
    [code] = sent(LI_PHONE)

    response = enter(client, code)
    assert response.status_code == 302 and response["Location"] == STATUS
    user = signed_in_as(client)
    assert (user.person, user.role, user.has_usable_password()) == (cast.li, Role.RESIDENT,
                                                                     False)
    assert user.username.startswith("resident-") and str(user) == "李娜"
    assert client.get(STATUS).status_code == 200
    assert AuditEvent.objects.filter(action="resident.sign_in", actor=user,
                                     target_uuid=cast.li.uuid).count() == 1
    stored = OneTimeCode.objects.get(phone=LI_PHONE)
    assert stored.used_at is not None and code not in (stored.code_hash, stored.salt)


def test_a_resident_with_an_account_signs_in_to_it(cast, client, sent, now):
    ask(client, ZHANG_PHONE)
    enter(client, sent(ZHANG_PHONE)[0])
    assert signed_in_as(client) == cast.jumin
    assert User.objects.filter(person=cast.zhang).count() == 1


def test_a_wrong_code_is_refused_and_counted_and_the_right_one_still_works(cast, client, sent,
                                                                          now):
    ask(client, LI_PHONE)
    [code] = sent(LI_PHONE)
    response = enter(client, other(code))
    assert response.status_code == 400 and errors(response)
    assert signed_in_as(client) is None
    assert OneTimeCode.objects.get(phone=LI_PHONE).attempts == 1
    enter(client, code)
    assert signed_in_as(client).person == cast.li


def test_a_code_that_is_not_six_digits_is_explained(cast, client, sent, now):
    ask(client, LI_PHONE)
    response = enter(client, "12ab")
    assert response.status_code == 400 and errors(response)
    assert OneTimeCode.objects.get(phone=LI_PHONE).attempts == 0


@pytest.mark.parametrize(("after", "works"), [(datetime.timedelta(minutes=4, seconds=59), True),
                                              (datetime.timedelta(minutes=5), False)])
def test_a_code_lasts_five_minutes(cast, client, sent, now, after, works):
    ask(client, LI_PHONE)
    now.shift(after)
    response = enter(client, sent(LI_PHONE)[0])
    assert (signed_in_as(client) is not None) is works
    if not works:
        assert response.status_code == 400 and errors(response)


def test_five_wrong_tries_spend_the_code(cast, sent, now):
    services.otp_request(phone=LI_PHONE, ip="127.0.0.1")
    [code] = sent(LI_PHONE)
    refusals = []
    for _ in range(5):
        with pytest.raises(ValidationError) as refusal:
            services.otp_verify(phone=LI_PHONE, code=other(code))
        refusals.append(refusal.value.error_dict["code"][0].code)
    assert refusals == ["wrong"] * 4 + ["attempts"]
    with pytest.raises(ValidationError) as refusal:
        services.otp_verify(phone=LI_PHONE, code=code)
    assert refusal.value.error_dict["code"][0].code == "attempts"


def test_a_code_works_once(cast, sent, now):
    services.otp_request(phone=LI_PHONE, ip="127.0.0.1")
    [code] = sent(LI_PHONE)
    assert services.otp_verify(phone=LI_PHONE, code=code).people == [cast.li]
    with pytest.raises(ValidationError) as refusal:
        services.otp_verify(phone=LI_PHONE, code=code)
    assert refusal.value.error_dict["code"][0].code == "expired"


def test_only_the_latest_code_counts(cast, sent, now):
    services.otp_request(phone=LI_PHONE, ip="127.0.0.1")
    now.shift(61)
    services.otp_request(phone=LI_PHONE, ip="127.0.0.1")
    first, second = sent(LI_PHONE)
    if first != second:
        with pytest.raises(ValidationError):
            services.otp_verify(phone=LI_PHONE, code=first)
    assert services.otp_verify(phone=LI_PHONE, code=second).people == [cast.li]


def test_one_code_a_minute_per_number(cast, client, sent, now):
    ask(client, LI_PHONE)
    response = ask(client, LI_PHONE)
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert len(sent(LI_PHONE)) == 1
    now.shift(60)
    assert ask(client, LI_PHONE).status_code == 302
    assert len(sent(LI_PHONE)) == 2


def test_ten_codes_an_hour_per_address(cast, sent, now):
    for n in range(10):
        services.otp_request(phone=f"1350000{n:04d}", ip="192.0.2.7")
    with pytest.raises(services.TooManyRequests):
        services.otp_request(phone=LI_PHONE, ip="192.0.2.7")
    assert sent(LI_PHONE) == []
    services.otp_request(phone=LI_PHONE, ip="192.0.2.8")
    assert len(sent(LI_PHONE)) == 1
    now.shift(3600)
    services.otp_request(phone=ZHANG_PHONE, ip="192.0.2.7")


def test_an_unknown_number_gets_the_same_answers_as_a_known_one(cast, sent, now):
    known, unknown = Client(), Client()
    answers = []
    for client, phone in ((known, LI_PHONE), (unknown, UNKNOWN_PHONE)):
        response = ask(client, phone)
        assert (response.status_code, response["Location"]) == (302, CODE)
        page = client.get(CODE)
        wrong = enter(client, "000000" if sent(phone) != ["000000"] else "111111")
        again = ask(client, phone)
        answers.append(([str(m) for m in page.context["messages"]], errors(wrong),
                        again.context["form"].non_field_errors()))
    assert answers[0] == answers[1]
    assert sent(UNKNOWN_PHONE) == [] and len(sent(LI_PHONE)) == 1
    assert OneTimeCode.objects.filter(phone=UNKNOWN_PHONE).count() == 1  # made, never sent


def test_a_bad_number_is_explained(cast, client, sent, now):
    response = ask(client, "12345")
    assert response.status_code == 400 and errors(response, "phone")
    assert not OneTimeCode.objects.exists()


def test_the_code_page_needs_a_number_first(cast, client):
    assert client.get(CODE)["Location"] == SIGN_IN
    assert client.get(CHOOSE)["Location"] == SIGN_IN


@pytest.fixture
def family(cast):
    """张伟's son 张小明 gave his father's number."""
    return person_create(acting_user=cast.admin, name="张小明",
                         id_number=idnumber.make("140602", datetime.date(2015, 6, 1), 31),
                         household=cast.h101, phone=ZHANG_PHONE)


def test_a_family_sharing_a_number_chooses_who_signs_in(cast, family, client, sent, now):
    ask(client, ZHANG_PHONE)
    response = enter(client, sent(ZHANG_PHONE)[0])
    assert response["Location"] == CHOOSE and signed_in_as(client) is None
    page = client.get(CHOOSE).content.decode()
    assert "张伟" in page and "张小明" in page and "李娜" not in page
    assert family.id_number not in page and cast.zhang.id_number not in page

    response = client.post(CHOOSE, {"person": str(family.uuid)})
    assert response["Location"] == STATUS
    user = signed_in_as(client)
    assert user.person == family and user.role == Role.RESIDENT
    assert AuditEvent.objects.filter(action="resident.sign_in",
                                     target_uuid=family.uuid).exists()


def test_a_forged_choice_is_refused(cast, family, client, sent, now):
    ask(client, ZHANG_PHONE)
    enter(client, sent(ZHANG_PHONE)[0])
    response = client.post(CHOOSE, {"person": str(cast.li.uuid)})
    assert response.status_code == 400 and errors(response, "person")
    assert signed_in_as(client) is None
    with pytest.raises(ValidationError):
        services.person_choose(phone=ZHANG_PHONE, public_id=cast.li.uuid)


def test_the_choice_lapses_after_ten_minutes(cast, family, client, sent, now):
    ask(client, ZHANG_PHONE)
    enter(client, sent(ZHANG_PHONE)[0])
    now.shift(601)
    response = client.post(CHOOSE, {"person": str(family.uuid)})
    assert response["Location"] == SIGN_IN and signed_in_as(client) is None


def test_a_disabled_account_cannot_sign_in(cast, client, sent, now):
    User.objects.filter(pk=cast.jumin.pk).update(is_active=False)
    ask(client, ZHANG_PHONE)
    response = enter(client, sent(ZHANG_PHONE)[0])
    assert response["Location"] == SIGN_IN and signed_in_as(client) is None
    assert User.objects.filter(person=cast.zhang).count() == 1


def test_the_code_goes_to_the_console_in_debug(cast, settings, capsys, now):
    settings.DEBUG = True
    services.otp_request(phone=LI_PHONE, ip=None)
    assert f"One-time code for {LI_PHONE}: " in capsys.readouterr().out


def test_a_signed_in_resident_skips_the_sign_in(cast, login):
    assert login(cast.jumin).get(SIGN_IN)["Location"] == STATUS
