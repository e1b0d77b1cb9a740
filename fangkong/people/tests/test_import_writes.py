"""What an import writes: audit trail, idempotent re-imports, updates, dry runs, all-or-nothing."""

from fangkong.audit.models import AuditEvent
from fangkong.lib.masking import mask_id_number
from fangkong.people.models import Person
from fangkong.people.tests.test_import_support import new_id, row, run
from fangkong.places.models import Place


def _counts():
    return Person.objects.count(), Place.objects.count(), AuditEvent.objects.count()


def test_each_created_person_is_audited_with_masked_identifiers(cast):
    before = AuditEvent.objects.count()
    run(cast.wangge, [row("孙明", new_id(101))], filename="wenyuan-1.csv")
    event = AuditEvent.objects.get(action="person.create", actor=cast.wangge)
    sun = Person.objects.get(name="孙明")
    assert event.target_uuid == sun.uuid and event.scope_place_id == sun.household_id
    assert event.changes["id_number"] == [None, mask_id_number(new_id(101))]
    assert new_id(101) not in str(event.changes) and "13512345678" not in str(event.changes)
    assert event.changes["phone"] == [None, "135****5678"]
    assert "wenyuan-1.csv" in event.reason and event.actor == cast.wangge
    summary = AuditEvent.objects.get(action="people.import")
    assert summary.changes["created"] == [None, 1] and summary.scope_place == cast.wenyuan
    assert AuditEvent.objects.count() == before + 2


def test_reimporting_the_same_file_changes_nothing(cast):
    rows = [row("孙明", new_id(101)), row("周红", new_id(102), building="5号楼", tags="孕妇")]
    run(cast.wangge, rows)
    places, events = Place.objects.count(), AuditEvent.objects.count()
    report = run(cast.wangge, rows)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.places_created == 0 and Place.objects.count() == places
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.order_by("-id").first().action == "people.import"


def test_changed_phone_is_updated_and_audited_masked(cast):
    zhang = cast.zhang
    rows = [row(zhang.name, zhang.id_number, phone="13911112222", household="101")]
    report = run(cast.wangge, rows)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    zhang.refresh_from_db()
    assert zhang.phone == "13911112222" and zhang.updated_by == cast.wangge
    event = AuditEvent.objects.get(action="person.update", target_uuid=zhang.uuid)
    assert event.changes == {"phone": ["138****1234", "139****2222"]}
    assert event.scope_place == cast.h101


def test_empty_optional_cells_keep_what_is_recorded(cast):
    zhang = cast.zhang
    report = run(cast.wangge, [row(zhang.name, zhang.id_number, phone="", residency="",
                                   household="101")])
    assert report.unchanged == 1
    zhang.refresh_from_db()
    assert zhang.phone == "13800001234"


def test_move_and_tags_are_updated(cast):
    zhang = cast.zhang
    run(cast.wangge, [row(zhang.name, zhang.id_number, phone="13800001234", household="102",
                          tags="残疾人")])
    zhang.refresh_from_db()
    assert zhang.household == cast.h102
    assert list(zhang.tags.values_list("tag", flat=True)) == ["disabled"]
    event = AuditEvent.objects.get(action="person.update", target_uuid=zhang.uuid)
    assert event.changes == {"household": ["101", "102"], "tags": [[], ["disabled"]]}


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(cast):
    before = _counts()
    report = run(cast.wangge, [row("孙明", new_id(101), building="7号楼"),
                               row("周红", new_id(103), phone="1")], all_or_nothing=True)
    assert report.all_or_nothing_aborted and report.created == 1 and report.rejected_rows == 1
    assert _counts() == before


def test_dry_run_reports_and_writes_nothing(cast):
    before = _counts()
    zhang = cast.zhang
    report = run(cast.wangge, [row("孙明", new_id(101), building="7号楼"),
                               row(zhang.name, zhang.id_number, phone="13911112222")],
                 dry_run=True)
    assert (report.created, report.updated, report.places_created) == (1, 1, 3)
    assert report.dry_run and not report.all_or_nothing_aborted
    assert _counts() == before
    zhang.refresh_from_db()
    assert zhang.phone == "13800001234"
