"""Sampling: tubes opened, people bound to them one by one at the sampler's page or many at
once from a terminal. Refusals are immediate and plain (already sampled this round, tube full
or closed, barcode used, unknown person); a terminal's batch gets one answer per binding and
a retried batch changes nothing."""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.audit.services import audit_record
from fangkong.core.bulk import in_filters, is_postgres, table_columns
from fangkong.people.models import IdType, Person, Residency
from fangkong.people.selectors import ids_by_number
from fangkong.people.validation import clean_identity
from fangkong.places.models import Level, Place
from fangkong.places.services import next_child_path
from fangkong.testing.models import (
    RoundPlace,
    RoundStatus,
    Sample,
    SamplingSite,
    TestRound,
    Tube,
    TubeKind,
    TubeStatus,
)
from fangkong.testing.services.common import (
    _check_barcode,
    _field_error,
    _require,
    _user,
)
from fangkong.testing.services.rounds import round_place_of

# --- sampling -----------------------------------------------------------------------------

def _sampler_site(acting_user, site: SamplingSite) -> None:
    _require(acting_user, Perm.SAMPLE)
    if acting_user is not None and not SamplingSite.objects.accessible_to(acting_user).filter(
            pk=site.pk).exists():
        raise PermissionError("site not assigned to this sampler")


def _check_open_round(test_round: TestRound) -> None:
    if test_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Round %(n)s is not open for sampling (%(status)s).")
                              % {"n": test_round.number,
                                 "status": RoundStatus(test_round.status).label}, code="round")


def _check_at(test_round: TestRound, at: datetime.datetime,
              now: datetime.datetime | None = None) -> None:
    if timezone.is_naive(at):
        raise _field_error("sampled_at", _("The time needs a time zone."), "naive")
    if at > (now or timezone.now()) + datetime.timedelta(minutes=5):
        raise _field_error("sampled_at", _("This time lies in the future."), "future")
    if at < test_round.starts_at:
        raise _field_error("sampled_at", _("This time is before the round began."), "early")


def _site_rule(test_round: TestRound, site: SamplingSite) -> RoundPlace:
    rule_place = round_place_of(test_round, site.venue.place)
    if rule_place is None:
        raise _field_error("site", _("This site lies outside the round's places."),
                           "outside_round")
    return rule_place


@transaction.atomic
def tube_open(*, acting_user, test_round: TestRound, site: SamplingSite, barcode: str,
              at: datetime.datetime | None = None) -> Tube:
    """Open a tube at a site; the round's pooling rule for the site's place gives its size."""
    _sampler_site(acting_user, site)
    _check_open_round(test_round)
    barcode = _check_barcode(barcode)
    at = at or timezone.now()
    _check_at(test_round, at)
    rule_place = _site_rule(test_round, site)
    if Tube.objects.filter(barcode=barcode).exists():
        raise _field_error("barcode", _("The barcode %(barcode)s has already been used.")
                           % {"barcode": barcode}, "used")
    tube = Tube.objects.create(
        barcode=barcode, round=test_round,
        kind=TubeKind.POOL if rule_place.pool_size > 1 else TubeKind.SINGLE,
        capacity=rule_place.pool_size, per_household=rule_place.per_household, site=site,
        place=site.venue.place, sampler=_user(acting_user), opened_at=at,
        created_by=_user(acting_user))
    return tube


def _locked_tube(tube: Tube, acting_user) -> Tube:
    tube = Tube.objects.select_for_update(of=("self",)).select_related("round").get(
        pk=tube.pk)
    if acting_user is not None and not Tube.objects.accessible_to(acting_user).filter(
            pk=tube.pk).exists():
        raise PermissionError("tube outside scope")
    return tube


def _already_sampled(test_round: TestRound, person: Person) -> Sample | None:
    return (Sample.objects.filter(round=test_round, person=person, retest=False)
            .select_related("tube").first())


def _sampled_message(sample: Sample) -> str:
    return _("Already sampled in this round: tube %(barcode)s at %(time)s.") % {
        "barcode": sample.tube.barcode,
        "time": timezone.localtime(sample.sampled_at).strftime("%m-%d %H:%M")}


@transaction.atomic
def sample_add(*, acting_user, tube: Tube, person: Person,
               at: datetime.datetime | None = None) -> Sample:
    """Bind one person's swab to an open tube; the tube closes when it reaches its size."""
    _require(acting_user, Perm.SAMPLE)
    tube = _locked_tube(tube, acting_user)
    _check_open_round(tube.round)
    at = at or timezone.now()
    _check_at(tube.round, at)
    if tube.kind == TubeKind.RETEST:
        raise _field_error("barcode", _("A retest tube is taken from the retest list."),
                           "retest")
    if tube.status != TubeStatus.OPEN:
        raise _field_error("barcode", _("Tube %(barcode)s is closed.")
                           % {"barcode": tube.barcode}, "closed")
    if tube.size >= tube.capacity:
        raise _field_error("barcode", _("Tube %(barcode)s is full (%(n)s).")
                           % {"barcode": tube.barcode, "n": tube.capacity}, "full")
    if person.merged_into_id:
        person = person.merged_into
    earlier = _already_sampled(tube.round, person)
    if earlier is not None:
        raise _field_error("person", _sampled_message(earlier), "sampled")
    if tube.per_household and tube.size:
        household = tube.samples.values_list("person__household_id", flat=True).first()
        if household != person.household_id:
            raise _field_error("person", _("This tube holds one household; this person lives "
                                           "elsewhere."), "household")
    sample = Sample.objects.create(round=tube.round, tube=tube, person=person, sampled_at=at,
                                   sampler=_user(acting_user))
    tube.size += 1
    fields = ["size", "updated_at"]
    if tube.size >= tube.capacity:
        tube.status, tube.closed_at = TubeStatus.CLOSED, at
        fields += ["status", "closed_at"]
    tube.save(update_fields=fields)
    return sample


@transaction.atomic
def tube_close(*, acting_user, tube: Tube, at: datetime.datetime | None = None) -> Tube:
    """Close a tube before it is full (the queue ended, a household is complete)."""
    _require(acting_user, Perm.SAMPLE)
    tube = _locked_tube(tube, acting_user)
    if tube.status != TubeStatus.OPEN:
        raise _field_error("barcode", _("Tube %(barcode)s is closed.")
                           % {"barcode": tube.barcode}, "closed")
    if tube.size == 0:
        raise _field_error("barcode", _("An empty tube cannot be closed; add a person first."),
                           "empty")
    tube.status, tube.closed_at = TubeStatus.CLOSED, at or timezone.now()
    tube.save(update_fields=["status", "closed_at", "updated_at"])
    return tube


VISITORS_CODE = "visitors"


def _visitor_household(site: SamplingSite) -> Place:
    """The household-level place under a site's place where people registered at the site
    are kept until the community files them."""
    parent = Place.objects.select_for_update().get(pk=site.venue.place_id)
    existing = Place.objects.filter(parent=parent, code=VISITORS_CODE).first()
    if existing:
        return existing
    return Place.objects.create(parent=parent, level=Level.HOUSEHOLD, code=VISITORS_CODE,
                                name=_("Registered at sampling"), rural=parent.rural,
                                path=next_child_path(parent))


@transaction.atomic
def visitor_register(*, acting_user, site: SamplingSite, name: str, id_number: str,
                     phone: str = "") -> Person:
    """A person the system does not know, registered at the site in two taps: a visitor
    kept under the site's place for the community to file."""
    _sampler_site(acting_user, site)
    from fangkong.people.services import local_today
    from fangkong.people.validation import clean_phone

    identity = clean_identity(id_type=IdType.MAINLAND, id_number=id_number, birth_date=None,
                              sex=None, today=local_today())
    if not (name or "").strip():
        raise _field_error("name", _("Enter the name."), "required")
    if Person.objects.filter(id_type=identity.id_type, id_number=identity.id_number).exists():
        raise _field_error("id_number", _("This person is already registered; scan or type "
                                          "the ID number to add them."), "duplicate")
    household = _visitor_household(site)
    person = Person.objects.create(
        name=name.strip(), id_type=identity.id_type, id_number=identity.id_number,
        birth_date=identity.birth_date, sex=identity.sex, phone=clean_phone(phone),
        household=household, residency=Residency.VISITOR, created_by=_user(acting_user),
        updated_by=_user(acting_user))
    audit_record(actor=acting_user, action="person.create", target=person,
                 scope_place=household, reason=_("Registered at a sampling site"),
                 changes={"residency": (None, Residency.VISITOR)})
    return person


# --- the batch path of sampling terminals -------------------------------------------------

@dataclass
class Binding:
    tube: str
    id_number: str
    sampled_at: datetime.datetime | None


@dataclass
class BindReport:
    accepted: int = 0
    unchanged: int = 0
    refused: list[dict] = field(default_factory=list)  # {"index", "field", "code", "message"}
    tubes_closed: int = 0

    def refuse(self, index: int, field_name: str, code: str, message: str) -> None:
        self.refused.append({"index": index, "field": field_name, "code": code,
                             "message": message})


@transaction.atomic
def bind_batch(*, acting_user, test_round: TestRound, site: SamplingSite,
               bindings: list[Binding]) -> BindReport:
    """Many (tube, person, time) bindings from a sampling terminal in one go. Each binding is
    accepted, unchanged (already recorded: a retry) or refused with its reason; a tube is
    opened by its first binding and closed when full."""
    _sampler_site(acting_user, site)
    _check_open_round(test_round)
    rule_place = _site_rule(test_round, site)
    report = BindReport()
    rows = _check_bindings(test_round, bindings, report)
    people = ids_by_number(sorted({b.id_number for _i, b in rows}))
    known = []
    for index, binding in rows:
        if binding.id_number not in people:
            report.refuse(index, "id_number", "unknown",
                          _("Unknown person: register them as a visitor first."))
        else:
            known.append((index, binding, *people[binding.id_number]))
    tubes = _tubes_for(test_round, site, sorted({b.tube for _i, b, *_r in known}), report,
                       known)
    earlier = _samples_of(test_round, [pk for _i, _b, pk, _h in known])
    fresh: dict[str, list] = defaultdict(list)
    seen: dict[int, str] = {}
    for index, binding, person_id, household_id in known:
        if binding.tube not in tubes:
            continue
        before = earlier.get(person_id) or seen.get(person_id)
        if before == binding.tube:
            report.unchanged += 1
        elif before is not None:
            report.refuse(index, "id_number", "sampled",
                          _("Already sampled in this round, in tube %(barcode)s.")
                          % {"barcode": before})
        else:
            seen[person_id] = binding.tube
            fresh[binding.tube].append((index, binding, person_id, household_id))
    _write_bindings(acting_user, test_round, site, rule_place, tubes, fresh, report)
    audit_record(actor=acting_user, action="testing.bind_batch", target=site,
                 scope_place=site.venue.place,
                 changes={"accepted": (None, report.accepted),
                          "unchanged": (None, report.unchanged),
                          "refused": (None, len(report.refused))})
    return report


def _check_bindings(test_round, bindings, report) -> list[tuple[int, Binding]]:
    rows, now = [], timezone.now()
    for index, binding in enumerate(bindings):
        try:
            binding.tube = _check_barcode(binding.tube)
            if binding.sampled_at is None:
                raise _field_error("sampled_at", _("The sampling time is missing."), "required")
            _check_at(test_round, binding.sampled_at, now)
        except ValidationError as error:
            (name, [problem]), = error.error_dict.items()
            report.refuse(index, name, problem.code, problem.messages[0])
            continue
        binding.id_number = (binding.id_number or "").strip().upper()
        rows.append((index, binding))
    return rows


def _tubes_for(test_round, site, barcodes, report, known) -> dict[str, Tube | None]:
    """The batch's tubes: existing ones (locked) if they are open tubes of this round and
    site or a retry's closed ones; None for barcodes still to open."""
    tubes: dict[str, Tube | None] = dict.fromkeys(barcodes)
    refused: dict[str, str] = {}
    for where in in_filters("barcode", barcodes):
        for tube in Tube.objects.select_for_update().filter(where):
            if tube.round_id != test_round.pk or tube.site_id != site.pk \
                    or tube.kind == TubeKind.RETEST:
                refused[tube.barcode] = _("The barcode %(barcode)s has already been used.") % {
                    "barcode": tube.barcode}
            else:
                tubes[tube.barcode] = tube
    for index, binding, *_rest in known:
        if binding.tube in refused:
            report.refuse(index, "tube", "used", refused[binding.tube])
    return {b: t for b, t in tubes.items() if b not in refused}


def _samples_of(test_round, person_ids) -> dict[int, str]:
    """{person id: barcode} of the people already sampled in the round. The tubes are read
    apart: usually there are none, and a join would make the planner read every tube."""
    tube_of = {}
    for where in in_filters("person_id", person_ids):
        tube_of.update(Sample.objects.filter(where, round=test_round, retest=False)
                       .values_list("person_id", "tube_id"))
    barcodes = {}
    for where in in_filters("id", sorted(set(tube_of.values()))):
        barcodes.update(Tube.objects.filter(where).values_list("id", "barcode"))
    return {person: barcodes[tube] for person, tube in tube_of.items()}


def _write_bindings(acting_user, test_round, site, rule_place, tubes, fresh, report) -> None:
    new_tubes, grown, samples = [], [], []
    for barcode, entries in fresh.items():
        tube = tubes[barcode]
        if tube is not None and tube.status != TubeStatus.OPEN:
            for index, *_rest in entries:
                report.refuse(index, "tube", "closed",
                              _("Tube %(barcode)s is closed.") % {"barcode": barcode})
            continue
        capacity = tube.capacity if tube else rule_place.pool_size
        per_household = tube.per_household if tube else rule_place.per_household
        room = capacity - (tube.size if tube else 0)
        household = None
        if per_household and tube is not None and tube.size:
            household = tube.samples.values_list("person__household_id", flat=True).first()
        taken = []
        for entry in entries:
            index, _binding, _person, entry_household = entry
            if len(taken) >= room:
                report.refuse(index, "tube", "full", _("Tube %(barcode)s is full (%(n)s).")
                              % {"barcode": barcode, "n": capacity})
            elif per_household and (household or entry_household) != entry_household:
                report.refuse(index, "id_number", "household",
                              _("This tube holds one household; this person lives elsewhere."))
            else:
                household = household or entry_household
                taken.append(entry)
        if not taken:
            continue
        times = [b.sampled_at for _i, b, _p, _h in taken]
        size = (tube.size if tube else 0) + len(taken)
        full = size >= capacity
        if tube is None:
            new_tubes.append(NewTube(barcode, capacity, per_household, size,
                                     min(times), max(times) if full else None))
        else:
            grown.append((tube, len(taken), full, max(times)))
        samples += [(barcode, person, b.sampled_at) for _i, b, person, _h in taken]
        report.accepted += len(taken)
        report.tubes_closed += int(full)
    ids = _insert_tubes(acting_user, test_round, site, new_tubes)
    for tube, added, full, last in grown:
        ids[tube.barcode] = tube.pk
        changes = {"size": F("size") + added, "updated_at": timezone.now()}
        if full:
            changes.update(status=TubeStatus.CLOSED, closed_at=last)
        Tube.objects.filter(pk=tube.pk).update(**changes)
    _insert_samples(test_round, [(ids[barcode], person, at) for barcode, person, at in samples],
                    _user(acting_user))


class NewTube(NamedTuple):
    barcode: str
    capacity: int
    per_household: bool
    size: int
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None  # None: still open


TUBE_FIELDS = ("id", "uuid", "created_at", "updated_at", "created_by_id", "barcode",
               "round_id", "kind", "capacity", "per_household", "site_id", "place_id",
               "sampler_id", "size", "status", "opened_at", "closed_at", "result",
               "reported_via")


NULL = r"\N"


def _tube_row(key, t: NewTube, now, round_id, site_id, place_id, user_id) -> tuple[str, ...]:
    """A new tube in TUBE_FIELDS order, as COPY text (barcodes hold no tab or backslash)."""
    return (str(key), str(uuid.uuid4()), now, now, user_id, t.barcode, round_id,
            TubeKind.POOL if t.capacity > 1 else TubeKind.SINGLE, str(t.capacity),
            "t" if t.per_household else "f", site_id, place_id, user_id, str(t.size),
            TubeStatus.OPEN if t.closed_at is None else TubeStatus.CLOSED,
            t.opened_at.isoformat(), t.closed_at.isoformat() if t.closed_at else NULL, "", "")


def _insert_tubes(acting_user, test_round, site, new: list[NewTube]) -> dict[str, int]:
    """{barcode: id} of the batch's new tubes. On PostgreSQL: keys drawn from the table's
    sequence, rows by COPY (model instances cost more than the insert); bulk_create
    elsewhere."""
    if not new:
        return {}
    user = _user(acting_user)
    if not is_postgres():
        tubes = Tube.objects.bulk_create([Tube(
            barcode=t.barcode, round=test_round, capacity=t.capacity,
            kind=TubeKind.POOL if t.capacity > 1 else TubeKind.SINGLE,
            per_household=t.per_household, site=site, place_id=site.venue.place_id,
            sampler=user, size=t.size, opened_at=t.opened_at, closed_at=t.closed_at,
            status=TubeStatus.OPEN if t.closed_at is None else TubeStatus.CLOSED,
            created_by=user) for t in new], batch_size=2000)
        if tubes[0].pk is not None:
            return {t.barcode: t.pk for t in tubes}
        ids = {}
        for where in in_filters("barcode", [t.barcode for t in new]):
            ids.update(Tube.objects.filter(where).values_list("barcode", "id"))
        return ids
    from django.db import connection

    table, columns = table_columns(Tube, TUBE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [Tube._meta.db_table, len(new)])
        keys = [key for key, in cursor.fetchall()]
        now, user_id = timezone.now().isoformat(), str(user.pk) if user else NULL
        fixed = (str(test_round.pk), str(site.pk), str(site.venue.place_id), user_id)
        lines = "".join("\t".join(_tube_row(key, t, now, *fixed)) + "\n"
                        for key, t in zip(keys, new, strict=True))
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(lines)
    return {t.barcode: key for key, t in zip(keys, new, strict=True)}


SAMPLE_FIELDS = ("round_id", "tube_id", "person_id", "sampled_at", "sampler_id", "retest")


def _insert_samples(test_round, samples, sampler) -> None:
    """COPY on PostgreSQL: the batch path's floor; bulk_create elsewhere."""
    if not samples:
        return
    if not is_postgres():
        Sample.objects.bulk_create(
            [Sample(round=test_round, tube_id=tube, person_id=person, sampled_at=at,
                    sampler=sampler) for tube, person, at in samples], batch_size=500)
        return
    from django.db import connection

    table, columns = table_columns(Sample, SAMPLE_FIELDS)
    round_id, sampler_id = str(test_round.pk), str(sampler.pk) if sampler else r"\N"
    lines = "".join(f"{round_id}\t{tube}\t{person}\t{at.isoformat()}\t{sampler_id}\tf\n"
                    for tube, person, at in samples)
    with connection.cursor() as cursor, \
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(lines)
