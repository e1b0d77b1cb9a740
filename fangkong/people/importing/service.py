"""The resident import: read, check every row, then write the good rows in one transaction.

Rows are checked first and places planned in memory; writing is a handful of bulk inserts
(places level by level, people, tags, audit events), so 100 000 rows take seconds, not the
hours one service call per row would.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.audit.models import AuditEvent
from fangkong.audit.services import audit_record, build_event
from fangkong.lib import tabular
from fangkong.people.importing import people as matching
from fangkong.people.importing.bulk import insert_objects
from fangkong.people.importing.columns import ColumnMap, map_header
from fangkong.people.importing.places import AreaResolver, HomePlanner, Node
from fangkong.people.importing.report import ImportFileError, ImportReport, Rejection
from fangkong.people.importing.rows import RowData, parse_row
from fangkong.people.models import Person, PersonTag
from fangkong.people.services import local_today
from fangkong.places.models import Place

BATCH = 500


@dataclass
class Plan:
    planner: HomePlanner
    creates: list[tuple[RowData, Node]] = field(default_factory=list)
    updates: list[tuple[matching.Existing, RowData, Node, list[str], dict]] = field(
        default_factory=list)


def import_residents(*, acting_user, data: bytes, filename: str, dry_run: bool = False,
                     all_or_nothing: bool = False,
                     today: datetime.date | None = None) -> ImportReport:
    """Import people from an .xlsx or .csv file. Raises ImportFileError for a file refused as
    a whole and PermissionError for a user who may not import."""
    scope = _import_scope(acting_user)
    table = read_file(data, filename)
    columns = map_header(table.header)
    report = ImportReport(filename=filename, dry_run=dry_run)
    rows = _parse_rows(table, columns, today or local_today(), report)
    with transaction.atomic():
        plan = _plan(scope, rows, columns, report, lock=not dry_run)
        report.rejected.sort()
        report.all_or_nothing_aborted = bool(all_or_nothing and report.rejected)
        if report.written:
            _write(acting_user, plan, report)
    return report


def _import_scope(acting_user) -> Place:
    if not can(acting_user, Perm.IMPORT_PEOPLE):
        raise PermissionError(Perm.IMPORT_PEOPLE)
    if not acting_user.scope_path:
        raise ImportFileError(_("Your account has no area, so there is nowhere to import to."))
    return acting_user.scope


def file_problem(code: str) -> str:
    messages = {
        "kind": _("Upload an .xlsx or .csv file."),
        "empty": _("The file is empty."),
        "encoding": _("The CSV file is neither UTF-8 nor GBK text. Save it again as CSV "
                      "(UTF-8) and retry."),
        "unreadable": _("The file cannot be read as a spreadsheet. Save it again as .xlsx "
                        "or .csv and retry."),
    }
    return messages.get(code, messages["unreadable"])


def read_file(data: bytes, filename: str) -> tabular.Table:
    try:
        return tabular.read_table(data, filename)
    except tabular.TabularError as error:
        raise ImportFileError(file_problem(error.code)) from None


def _parse_rows(table, columns: ColumnMap, today, report: ImportReport) -> list[RowData]:
    rows = []
    try:
        for number, cells in table.rows:
            row, rejections = parse_row(number, cells, columns, today)
            if row is None:
                report.rejected.extend(rejections)
            else:
                rows.append(row)
    except tabular.TabularError as error:
        raise ImportFileError(file_problem(error.code)) from None
    if not rows and not report.rejected:
        raise ImportFileError(_("The file holds no rows below the header."))
    return rows


def _reject(report, columns: ColumnMap, row: RowData, field_name: str, message: str) -> None:
    report.rejected.append(Rejection(row.number, columns.header(field_name), message))


def _placed_rows(scope, rows, columns, report) -> list[tuple[RowData, tuple]]:
    """Rows whose community exists in the user's area, later repeats of an ID dropped."""
    resolver, first_seen, placed = AreaResolver(scope), {}, []
    for row in rows:
        earlier = first_seen.setdefault(row.key, row.number)
        if earlier != row.number:
            _reject(report, columns, row, "id_number",
                    _("This ID number already appears in row %(row)s.") % {"row": earlier})
            continue
        community, problem = resolver.resolve(row.area)
        if problem:
            _reject(report, columns, row, *problem)
        else:
            placed.append((row, community))
    return placed


def _plan(scope, rows, columns, report: ImportReport, *, lock: bool) -> Plan:
    placed = _placed_rows(scope, rows, columns, report)
    existing = matching.load_existing([row.key for row, _community in placed])
    plan = Plan(planner=HomePlanner())
    outside = _("This ID number is already registered outside your area.")
    kept = []
    for row, community in placed:
        found = existing.get(row.key)
        if found is not None and not found.household_path.startswith(scope.path):
            _reject(report, columns, row, "id_number", outside)
        else:
            kept.append((row, community, found))
    plan.planner.load({community for _row, community, _found in kept}, lock=lock)
    for row, community, found in kept:
        _plan_row(plan, report, row, community, found)
    report.places_created = len(plan.planner.planned)
    return plan


def _plan_row(plan: Plan, report, row: RowData, community, found) -> None:
    household = plan.planner.household(community[0], row.home)
    if found is None:
        plan.creates.append((row, household))
        report.created += 1
        return
    changed, diff = matching.apply_row(found, row, household)
    if changed:
        plan.updates.append((found, row, household, changed, diff))
        report.updated += 1
    else:
        report.unchanged += 1


def _write(acting_user, plan: Plan, report: ImportReport) -> None:
    reason = _("Imported from %(file)s") % {"file": report.filename}
    plan.planner.write(acting_user)
    events = _write_creates(acting_user, plan.creates, reason)
    events += _write_updates(acting_user, plan.updates, reason)
    insert_objects(AuditEvent, events)
    audit_record(actor=acting_user, action="people.import", target=None,
                 scope_place=acting_user.scope,
                 changes={name: [None, count] for name, count in report.counts().items()},
                 reason=reason)


def _event(acting_user, action: str, person: Person, household: Node, changes, reason):
    event = build_event(actor=acting_user, action=action, target=person, changes=changes,
                        reason=reason)
    event.scope_place_id = household.id
    return event


def _write_creates(acting_user, creates, reason: str) -> list[AuditEvent]:
    now = timezone.now()
    people = [matching.new_person(row, household, acting_user, now)
              for row, household in creates]
    insert_objects(Person, people)
    events = []
    for person, (row, household) in zip(people, creates, strict=True):
        values = matching.audited_values(person, household.name, row.tags or ())
        events.append(_event(acting_user, "person.create", person, household,
                             {k: [None, v] for k, v in values.items() if v}, reason))
    _insert_tags([(person, row.tags) for person, (row, _h) in zip(people, creates, strict=True)
                  if row.tags])
    return events


def _insert_tags(tagged: list[tuple[Person, tuple[str, ...]]]) -> None:
    """Tags of newly inserted people, whose ids are read back by uuid."""
    tags = []
    for start in range(0, len(tagged), BATCH):
        chunk = tagged[start:start + BATCH]
        ids = dict(Person.objects.filter(uuid__in=[p.uuid for p, _t in chunk])
                   .values_list("uuid", "id"))
        tags += [PersonTag(person_id=ids[person.uuid], tag=tag)
                 for person, person_tags in chunk for tag in person_tags]
    insert_objects(PersonTag, tags)


def _write_updates(acting_user, updates, reason: str) -> list[AuditEvent]:
    if not updates:
        return []
    now, fields, events = timezone.now(), {"updated_by", "updated_at"}, []
    for found, row, household, changed, diff in updates:
        person = found.person
        person.household_id, person.updated_by, person.updated_at = household.id, acting_user, now
        fields.update(name for name in changed if name != "tags")
        if "tags" in changed:
            _replace_tags(person, found.tags, set(row.tags))
        events.append(_event(acting_user, "person.update", person, household, diff, reason))
    Person.objects.bulk_update([u[0].person for u in updates], sorted(fields), batch_size=BATCH)
    return events


def _replace_tags(person: Person, old: set[str], new: set[str]) -> None:
    PersonTag.objects.filter(person=person, tag__in=old - new).delete()
    PersonTag.objects.bulk_create([PersonTag(person=person, tag=tag) for tag in new - old])
