"""Registering an arrival: the person found or created, the same day's registrations merged,
bad input refused field by field with nothing written, a work item for the destination
community, and an audit trail with no actor from the public channel."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fangkong.arrivals.models import ArrivalRegistration, Requirement
from fangkong.arrivals.services import arrival_register
from fangkong.arrivals.tests.util import (
    CHAOYANG,
    HAIZHU,
    TRAVELLER_ID,
    at,
    list_haizhu,
    register,
)
from fangkong.audit.models import AuditEvent
from fangkong.control.models import ControlOrder, OrderStatus
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.selectors import inbox_for_user
from fangkong.people.models import Person, Residency


def counts():
    return (ArrivalRegistration.objects.count(), Person.objects.count(),
            WorkItem.objects.count(), ControlOrder.objects.count(), AuditEvent.objects.count())


@pytest.mark.django_db
def test_a_new_traveller_becomes_a_visitor_at_the_destination(cast):
    registration = register(cast, at(11, 22))

    person = registration.person
    assert person.id_number == TRAVELLER_ID and person.name == "孙悟"
    assert person.household == cast.h201 and person.residency == Residency.VISITOR
    assert person.birth_date == datetime.date(1992, 4, 8) and person.phone == "13512345678"
    created = AuditEvent.objects.get(action="person.create", target_uuid=person.uuid)
    assert created.actor is None and created.via == "public" and created.ip == "203.0.113.5"
    assert TRAVELLER_ID not in str(created.changes)  # masked in the trail


@pytest.mark.django_db
def test_a_known_person_keeps_their_record_and_is_not_moved(cast):
    zhao = cast.zhao  # lives in 新建社区, registers an arrival to 文远社区's 201
    registration = register(cast, at(11, 22), name="赵强", id_number=zhao.id_number,
                            phone="13912340000")

    zhao.refresh_from_db()
    assert registration.person == zhao
    assert zhao.household == cast.x101 and zhao.phone == "13700002468"
    assert Person.objects.count() == 5
    assert not AuditEvent.objects.filter(action="person.create", target_uuid=zhao.uuid,
                                         actor__isnull=True).exists()


@pytest.mark.django_db
def test_a_second_registration_of_the_same_day_updates_the_first(cast):
    first = register(cast, at(11, 22, 9), transport_number="G601")
    second = register(cast, at(11, 22, 18), transport="plane", transport_number="ca1234",
                      household=cast.h102)

    assert second.pk == first.pk and ArrivalRegistration.objects.count() == 1
    second.refresh_from_db()
    assert second.updates == 1 and second.transport == "plane"
    assert second.transport_number == "CA1234" and second.household == cast.h102
    assert second.arrival_at == at(11, 22, 18)
    assert WorkItem.objects.filter(kind=ItemKind.ARRIVAL).count() == 1
    update = AuditEvent.objects.get(action="arrival.update")
    assert update.actor is None and update.via == "public"
    assert update.changes["transport"] == ["train", "plane"]
    assert Person.objects.filter(id_number=TRAVELLER_ID).count() == 1


@pytest.mark.django_db
def test_another_day_is_another_registration(cast):
    register(cast, at(11, 22))
    register(cast, at(11, 23))

    assert ArrivalRegistration.objects.count() == 2
    assert Person.objects.filter(id_number=TRAVELLER_ID).count() == 1


@pytest.mark.django_db
def test_a_merge_that_turns_out_high_risk_places_the_traveller_under_isolation_once(cast):
    list_haizhu(cast)
    register(cast, at(11, 25), origin_code=CHAOYANG)
    assert not ControlOrder.objects.exists()

    registration = register(cast, at(11, 25), origin_code=HAIZHU)
    assert registration.requirement == Requirement.HIGH_RISK_OUTFLOW
    assert ControlOrder.objects.filter(status=OrderStatus.ACTIVE).count() == 1

    again = register(cast, at(11, 25), origin_code=CHAOYANG)  # cannot lift it quietly
    assert again.requirement == Requirement.HIGH_RISK_OUTFLOW and again.updates == 2
    assert ControlOrder.objects.filter(status=OrderStatus.ACTIVE).count() == 1


@pytest.mark.django_db
def test_the_work_item_lands_in_the_destination_community(cast):
    registration = register(cast, at(11, 22))

    item = WorkItem.objects.get(kind=ItemKind.ARRIVAL)
    assert item.place == cast.wenyuan and item.person == registration.person
    assert item.due_on == datetime.date(2022, 11, 22)
    assert item.key == f"arrival:{registration.uuid}"
    assert "孙悟" in item.title and str(Requirement.ARRIVAL_LOW_RISK.label) in item.title
    assert item in inbox_for_user(cast.wangge)
    assert item not in inbox_for_user(cast.wangge2)
    assert item in inbox_for_user(cast.jiedao)


@pytest.mark.django_db
def test_a_rural_household_sends_the_item_to_its_village(cast):
    register(cast, at(11, 22), household=cast.village_home)

    assert WorkItem.objects.get(kind=ItemKind.ARRIVAL).place == cast.village


@pytest.mark.django_db
def test_the_registration_is_audited_without_an_actor_from_the_public_channel(cast):
    registration = register(cast, at(11, 22))

    event = AuditEvent.objects.get(action="arrival.register")
    assert event.actor is None and event.via == "public" and event.ip == "203.0.113.5"
    assert event.target_uuid == registration.uuid and event.scope_place == cast.h201
    assert "13512345678" not in str(event.changes)


BAD = [
    ({"name": "  "}, "name"),
    ({"id_number": "110105199204081234"}, "id_number"),  # wrong check character
    ({"id_type": "badge"}, "id_type"),
    ({"phone": ""}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"origin_code": ""}, "origin"),
    ({"origin_code": "140600"}, "origin"),  # a city with counties: choose the county
    ({"origin_code": "999999"}, "origin"),
    ({"arrival_at": None}, "arrival_at"),
    ({"arrival_at": at(12, 30)}, "arrival_at"),  # more than 30 days ahead
    ({"transport": "rocket"}, "transport"),
    ({"transport": "plane", "transport_number": ""}, "transport_number"),
    ({"household": None}, "household"),
    ({"test_taken_at": at(11, 23)}, "test_taken_at"),  # in the future
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad", "field"), BAD)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(cast, bad, field):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        with time_machine.travel(at(11, 22, 8), tick=False):
            arrival_register(**{"name": "孙悟", "id_number": TRAVELLER_ID,
                                "phone": "13512345678", "origin_code": CHAOYANG,
                                "arrival_at": at(11, 22), "transport": "train",
                                "transport_number": "G601", "household": cast.h201, **bad})
    assert set(refused.value.message_dict) == {field}
    assert counts() == before


@pytest.mark.django_db
def test_a_larger_place_is_not_a_household(cast):
    with pytest.raises(ValidationError) as refused:
        register(cast, at(11, 22), household=cast.building1)
    assert set(refused.value.message_dict) == {"household"}


@pytest.mark.django_db
def test_every_fault_is_reported_at_once(cast):
    with pytest.raises(ValidationError) as refused:
        register(cast, at(11, 22), name="", phone="1", origin_code="", household=None)
    assert set(refused.value.message_dict) == {"name", "phone", "origin", "household"}
    assert not ArrivalRegistration.objects.exists()


@pytest.mark.django_db
def test_a_passport_needs_birth_date_and_sex(cast):
    with pytest.raises(ValidationError) as refused:
        register(cast, at(11, 22), id_type="passport", id_number="E12345678")
    assert set(refused.value.message_dict) == {"birth_date", "sex"}

    registration = register(cast, at(11, 22), id_type="passport", id_number="e12345678",
                            birth_date=datetime.date(1990, 1, 2), sex="female")
    assert registration.id_number == "E12345678"
    assert registration.person.sex == "female"


@pytest.mark.django_db
def test_an_arrival_before_any_profile_is_refused_with_the_reason(cast):
    with pytest.raises(ValidationError) as refused:
        register(cast, at(11, 22).replace(year=2021))
    assert set(refused.value.message_dict) == {"arrival_at"}
