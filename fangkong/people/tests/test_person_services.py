import datetime

import pytest
from django.core.exceptions import ValidationError

from fangkong.audit.models import AuditEvent
from fangkong.lib import idnumber
from fangkong.lib.masking import mask_id_number
from fangkong.people.models import Person, PersonTag
from fangkong.people.services import person_create, person_merge, person_reveal, person_update
from fangkong.places.services import venue_create
from fangkong.tracing.models import CheckIn


def new_id(sequence=77, region="140602", birth=datetime.date(1992, 4, 5)):
    return idnumber.make(region, birth, sequence)


def test_creating_a_person_derives_birth_date_and_sex_and_is_audited(cast):
    person = person_create(acting_user=cast.wangge, name="孙丽", id_number=new_id(78),
                           household=cast.h102, phone="+86 139 1111 2222", tags=["pregnant"])
    assert person.birth_date == datetime.date(1992, 4, 5)
    assert person.sex == "female"
    assert person.phone == "13911112222"
    event = AuditEvent.objects.get(action="person.create", target_uuid=person.uuid)
    assert event.actor == cast.wangge
    assert event.changes["tags"] == [None, ["pregnant"]]
    assert event.changes["id_number"][1] == mask_id_number(person.id_number)
    assert person.id_number not in str(event.changes)


@pytest.mark.parametrize("bad, field", [
    ("140602199204050770", "id_number"),   # wrong check character
    ("140602920405077", "id_number"),      # 15-digit legacy number
])
def test_bad_id_numbers_are_refused_and_nothing_is_written(cast, bad, field):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        person_create(acting_user=cast.wangge, name="孙丽", id_number=bad, household=cast.h102)
    assert field in error.value.message_dict
    assert Person.objects.count() == before


def test_a_given_birth_date_must_match_the_id_number(cast):
    with pytest.raises(ValidationError) as error:
        person_create(acting_user=cast.wangge, name="孙丽", id_number=new_id(78),
                      household=cast.h102, birth_date=datetime.date(1992, 4, 6))
    assert "birth_date" in error.value.message_dict


def test_bad_phone_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        person_create(acting_user=cast.wangge, name="孙丽", id_number=new_id(78),
                      household=cast.h102, phone="0349-1234567")
    assert "phone" in error.value.message_dict


def test_duplicate_id_number_names_the_holder_only_when_visible(cast):
    with pytest.raises(ValidationError) as error:
        person_create(acting_user=cast.wangge, name="冒名", id_number=cast.zhang.id_number,
                      household=cast.h102)
    assert "张伟" in error.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as error:
        person_create(acting_user=cast.wangge, name="冒名", id_number=cast.zhao.id_number,
                      household=cast.h102)
    assert "赵强" not in error.value.message_dict["id_number"][0]


def test_a_worker_cannot_register_someone_outside_their_area(cast):
    with pytest.raises(ValidationError) as error:
        person_create(acting_user=cast.wangge, name="孙丽", id_number=new_id(78),
                      household=cast.x101)
    assert "household" in error.value.message_dict


def test_update_records_old_and_new_values_with_masked_identifiers(cast):
    person_update(acting_user=cast.wangge, person=cast.zhang, phone="13812345678",
                  name="张卫", reason="居民来电更正")
    event = AuditEvent.objects.get(action="person.update", target_uuid=cast.zhang.uuid)
    assert event.changes["name"] == ["张伟", "张卫"]
    assert event.changes["phone"] == ["138****1234", "138****5678"]
    assert event.reason == "居民来电更正"
    assert event.actor == cast.wangge


def test_an_update_that_changes_nothing_writes_no_audit_event(cast):
    person_update(acting_user=cast.wangge, person=cast.zhang, name="张伟")
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_tags_are_changed_and_audited(cast):
    person_update(acting_user=cast.wangge, person=cast.wang, tags=["elderly_alone", "chronic"])
    assert set(cast.wang.tags.values_list("tag", flat=True)) == {"elderly_alone", "chronic"}
    event = AuditEvent.objects.get(action="person.update", target_uuid=cast.wang.uuid)
    assert event.changes["tags"] == [[], ["chronic", "elderly_alone"]]


def test_reveal_is_audited_and_refused_to_roles_without_the_right(cast):
    assert person_reveal(acting_user=cast.wangge, person=cast.zhang, field="phone") == "13800001234"
    assert AuditEvent.objects.filter(action="person.reveal", actor=cast.wangge,
                                     target_uuid=cast.zhang.uuid, reason="phone").exists()
    with pytest.raises(PermissionError):
        person_reveal(acting_user=cast.louzhang, person=cast.zhang, field="phone")


def test_merge_relinks_everything_to_the_survivor(cast):
    duplicate = person_create(acting_user=cast.admin, name="张伟", id_type="passport",
                              id_number="E12345678", household=cast.h101,
                              birth_date=datetime.date(1985, 3, 12), sex="male",
                              tags=["chronic"])
    cast.jumin.person = duplicate
    cast.jumin.save(update_fields=["person"])
    person_merge(acting_user=cast.jiedao, survivor=cast.zhang, duplicate=duplicate,
                 reason="同一人两条记录")
    duplicate.refresh_from_db()
    cast.jumin.refresh_from_db()
    assert duplicate.merged_into == cast.zhang
    assert cast.jumin.person == cast.zhang
    assert list(PersonTag.objects.filter(person=cast.zhang).values_list("tag", flat=True)) == [
        "chronic"]
    assert AuditEvent.objects.filter(action="person.merge", target_uuid=cast.zhang.uuid,
                                     reason="同一人两条记录").exists()


def test_merge_moves_the_duplicates_check_ins_too(cast):
    """Check-ins have no reverse accessor on Person; a merge must still move them, or the
    survivor's companions would miss every venue the duplicate record visited."""
    duplicate = person_create(acting_user=cast.admin, name="张伟", id_type="passport",
                              id_number="E12345679", household=cast.h101,
                              birth_date=datetime.date(1985, 3, 12), sex="male")
    shop = venue_create(acting_user=None, place=cast.compound, name="开发区超市",
                        kind="supermarket")
    arrived = datetime.datetime(2022, 11, 12, 10, tzinfo=datetime.UTC)
    CheckIn.objects.create(venue=shop, person=duplicate, checked_in_at=arrived,
                           left_at=arrived + datetime.timedelta(minutes=30), source="scan")
    person_merge(acting_user=cast.jiedao, survivor=cast.zhang, duplicate=duplicate,
                 reason="同一人两条记录")
    assert list(CheckIn.objects.values_list("person", flat=True)) == [cast.zhang.pk]
    assert AuditEvent.objects.get(action="person.merge", target_uuid=cast.zhang.uuid
                                  ).changes["tracing.checkin.person"] == [0, 1]


def test_merge_needs_a_reason_and_the_right(cast):
    with pytest.raises(ValidationError):
        person_merge(acting_user=cast.jiedao, survivor=cast.zhang, duplicate=cast.li, reason="")
    with pytest.raises(PermissionError):
        person_merge(acting_user=cast.wangge, survivor=cast.zhang, duplicate=cast.li, reason="x")
