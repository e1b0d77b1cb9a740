"""Laboratories: tubes received, results recorded all or nothing (one bad row refuses the
upload, every row's faults named), and what results call for. A positive pool puts its
members under temporary control and opens their single retests; the retest's result lifts
the control or reports a case, through the control and cases services."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.accounts.roles import Perm, Role
from fangkong.audit.services import audit_record
from fangkong.core.bulk import chunks, in_filters, is_postgres
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.people.models import Person
from fangkong.places.models import Place
from fangkong.protocol.selectors import rule
from fangkong.testing.models import (
    Laboratory,
    Retest,
    RetestStatus,
    Sample,
    Tube,
    TubeKind,
    TubeResult,
    TubeStatus,
)
from fangkong.testing.result_rules import ResultRow, row_problems
from fangkong.testing.services.common import (
    BARCODE,
    _check_barcode,
    _field_error,
    _local_day,
    _require,
    _user,
)

# --- laboratories: receiving tubes and recording results ----------------------------------

def _lab_member(acting_user, lab: Laboratory) -> None:
    _require(acting_user, Perm.REPORT_RESULTS)
    if acting_user is not None and not lab.members.filter(pk=acting_user.pk).exists():
        raise PermissionError("not a member of this laboratory")


@dataclass
class ReceiveReport:
    received: int = 0
    unchanged: int = 0
    refused: list[dict] = field(default_factory=list)


@transaction.atomic
def tubes_receive(*, acting_user, lab: Laboratory, barcodes: list[str],
                  at: datetime.datetime | None = None) -> ReceiveReport:
    """Tubes handed over to a laboratory (scanned at its door): from then on they are its."""
    _lab_member(acting_user, lab)
    at = at or timezone.now()
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise _field_error("received_at", _("This time lies in the future."), "future")
    report = ReceiveReport()
    wanted = [b.strip() for b in barcodes if b.strip()]
    tubes = {}
    for chunk in chunks(sorted(set(wanted))):
        tubes.update((t.barcode, t) for t in Tube.objects.select_for_update()
                     .filter(barcode__in=chunk))
    taken = []
    for index, barcode in enumerate(wanted):
        tube = tubes.get(barcode)
        if tube is None:
            message, code = _("Unknown barcode %(barcode)s.") % {"barcode": barcode}, "unknown"
        elif tube.lab_id not in (None, lab.pk):
            message, code = _("Tube %(barcode)s went to another laboratory.") % {
                "barcode": barcode}, "other_lab"
        elif tube.lab_id == lab.pk:
            report.unchanged += 1
            continue
        elif tube.status == TubeStatus.OPEN:
            message, code = _("Tube %(barcode)s is still open at the site.") % {
                "barcode": barcode}, "open"
        elif tube.closed_at and at < tube.closed_at:
            message, code = _("Tube %(barcode)s was closed after this receipt time.") % {
                "barcode": barcode}, "early"
        else:
            tube.lab_id, tube.received_at, tube.status = lab.pk, at, TubeStatus.RECEIVED
            taken.append(tube)
            continue
        report.refused.append({"index": index, "barcode": barcode, "code": code,
                               "message": message})
    Tube.objects.bulk_update(taken, ["lab", "received_at", "status"], batch_size=500)
    report.received = len(taken)
    if taken:
        audit_record(actor=acting_user, action="testing.receive", target=lab,
                     changes={"received": (None, len(taken))})
    return report


class ResultsRefused(ValidationError):
    """A results file with faults: nothing was recorded; `problems` names each row's."""

    def __init__(self, problems: list[dict]):
        super().__init__(ngettext("%(n)s problem; nothing was recorded.",
                                  "%(n)s problems; nothing was recorded.", len(problems))
                         % {"n": len(problems)}, code="refused")
        self.problems = problems


@dataclass
class ResultsReport:
    recorded: int = 0
    unchanged: int = 0
    positive_pools: int = 0
    resample_pools: int = 0
    people_controlled: int = 0
    retests_negative: int = 0
    cases: list = field(default_factory=list)


def _profile_for(day: datetime.date, cache: dict):
    if day not in cache:
        cache[day] = (rule(day, "pcr_cutoff_ct"), rule(day, "ct_valid_max"))
    return cache[day]


def _same_result(tube: Tube, row: ResultRow) -> bool:
    return (tube.result == row.result and tube.ct_orf1ab == row.ct_orf1ab
            and tube.ct_n == row.ct_n and tube.tested_at == row.tested_at)


# What recording a result reads and writes of a tube: loading only these keeps a 20,000-row
# upload's tubes cheap to build.
CHECKED_FIELDS = ("id", "barcode", "kind", "status", "lab_id", "opened_at", "received_at",
                  "result", "ct_orf1ab", "ct_n", "tested_at", "reported_at", "reported_via")


def _check_rows(lab, rows: list[ResultRow]) -> tuple[list[tuple[Tube, ResultRow]], int]:
    problems, rules, first_line = [], {}, {}
    tubes = {}
    for where in in_filters("barcode", sorted({r.barcode for r in rows if r.barcode})):
        tubes.update((t.barcode, t) for t in Tube.objects.select_for_update()
                     .filter(where).only(*CHECKED_FIELDS))
    accepted, unchanged = [], 0

    def refuse(row, field_name, message):
        problems.append({"line": row.line, "barcode": row.barcode, "field": field_name,
                         "message": message})

    for row in rows:
        day = _local_day(row.tested_at) if row.tested_at else timezone.localdate()
        cutoff, ct_max = _profile_for(day, rules)
        faults = row_problems(row, cutoff=cutoff, ct_max=ct_max)
        for field_name, message in faults:
            refuse(row, field_name, message)
        tube = tubes.get(row.barcode)
        if row.barcode and row.barcode in first_line:
            refuse(row, "barcode", _("A second result for tube %(barcode)s in this upload "
                                     "(first: %(line)s).") % {"barcode": row.barcode,
                                                               "line": first_line[row.barcode]})
            continue
        first_line[row.barcode] = row.line
        if not row.barcode:
            continue
        if tube is None:
            refuse(row, "barcode", _("Unknown barcode %(barcode)s.") % {"barcode": row.barcode})
        elif tube.lab_id not in (None, lab.pk):
            refuse(row, "barcode", _("Tube %(barcode)s went to another laboratory.")
                   % {"barcode": row.barcode})
        elif tube.status == TubeStatus.OPEN:
            refuse(row, "barcode", _("Tube %(barcode)s is still open at the site.")
                   % {"barcode": row.barcode})
        elif tube.result and not faults and _same_result(tube, row):
            unchanged += 1
        elif tube.result:
            refuse(row, "result", _("Tube %(barcode)s already has a result (%(result)s, "
                                    "%(time)s).") % {
                "barcode": row.barcode, "result": TubeResult(tube.result).label,
                "time": timezone.localtime(tube.reported_at).strftime("%Y-%m-%d %H:%M")})
        elif row.tested_at and row.tested_at < tube.opened_at:
            refuse(row, "tested_at", _("The test time is before the tube was sampled."))
        elif not faults:
            accepted.append((tube, row))
    if problems:
        raise ResultsRefused(problems)
    return accepted, unchanged


@transaction.atomic
def results_record(*, acting_user, lab: Laboratory, rows: list[ResultRow], via: str,
                   at: datetime.datetime | None = None) -> ResultsReport:
    """Record a laboratory's results, all or nothing, then follow up what they call for:
    positive pools (temporary control and single retests), resamples, retest outcomes.
    `at`: when the results were reported, if not now (a late entry of past results)."""
    _lab_member(acting_user, lab)
    if not rows:
        raise ResultsRefused([{"line": "", "barcode": "", "field": "rows",
                               "message": _("The upload holds no result rows.")}])
    now = timezone.now()
    if at is not None and at > now + datetime.timedelta(minutes=5):
        raise _field_error("reported_at", _("This time lies in the future."), "future")
    accepted, unchanged = _check_rows(lab, rows)
    if at is not None:
        early = [row.line for _tube, row in accepted if row.tested_at > at]
        if early:
            raise _field_error("reported_at", _("Reported before it was tested: %(rows)s")
                               % {"rows": ", ".join(early[:10])}, "early")
        now = at
    for tube, row in accepted:
        tube.result, tube.ct_orf1ab, tube.ct_n = row.result, row.ct_orf1ab, row.ct_n
        tube.tested_at, tube.reported_at, tube.reported_via = row.tested_at, now, via
        tube.status, tube.lab_id = TubeStatus.REPORTED, lab.pk
        tube.received_at = tube.received_at or min(row.tested_at, now)
    _save_results([t for t, _r in accepted])
    report = ResultsReport(recorded=len(accepted), unchanged=unchanged)
    audit_record(actor=acting_user, action="testing.results", target=lab,
                 changes={"recorded": (None, len(accepted)), "via": (None, via)})
    tubes = [t for t, _r in accepted]
    _follow_up_pools(acting_user, [t for t in tubes if t.kind != TubeKind.RETEST
                                   and t.result != TubeResult.NEGATIVE], report)
    _follow_up_retests(acting_user, [t for t in tubes if t.kind == TubeKind.RETEST], report)
    return report


RESULT_FIELDS = ("result", "ct_orf1ab", "ct_n", "tested_at", "reported_at", "reported_via",
                 "status", "lab", "received_at", "updated_at")


def _save_results(tubes: list[Tube]) -> None:
    """One UPDATE ... FROM a COPY-loaded table on PostgreSQL; bulk_update elsewhere."""
    if not tubes:
        return
    from django.db import connection

    now = timezone.now()
    table = connection.ops.quote_name(Tube._meta.db_table)
    if not is_postgres():  # one prepared UPDATE, many rows: bulk_update's CASE is quadratic
        for tube in tubes:
            tube.updated_at = now
        fields = [Tube._meta.get_field(name) for name in RESULT_FIELDS]
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608 - names from the model
                [[f.get_db_prep_save(getattr(t, f.attname), connection) for f in fields]
                 + [t.pk] for t in tubes])
        return

    def num(value):
        return r"\N" if value is None else str(value)

    def iso(value):
        return r"\N" if value is None else value.isoformat()

    lines = "".join(
        f"{t.pk}\t{t.result}\t{num(t.ct_orf1ab)}\t{num(t.ct_n)}\t{iso(t.tested_at)}\t"
        f"{iso(t.reported_at)}\t{t.reported_via}\t{t.status}\t{num(t.lab_id)}\t"
        f"{iso(t.received_at)}\n" for t in tubes)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE testing_result_load (id bigint, result varchar(8), "
                       "ct_orf1ab numeric(4,1), ct_n numeric(4,1), tested_at timestamptz, "
                       "reported_at timestamptz, reported_via varchar(8), status varchar(8), "
                       "lab_id bigint, received_at timestamptz) ON COMMIT DROP")
        with cursor.cursor.copy("COPY testing_result_load FROM STDIN") as copy:
            copy.write(lines)
        cursor.execute(
            f"UPDATE {table} AS t SET result = l.result, ct_orf1ab = l.ct_orf1ab, "  # noqa: S608
            "ct_n = l.ct_n, tested_at = l.tested_at, reported_at = l.reported_at, "
            "reported_via = l.reported_via, status = l.status, lab_id = l.lab_id, "
            "received_at = l.received_at, updated_at = %s "
            "FROM testing_result_load AS l WHERE t.id = l.id", [now])
        cursor.execute("DROP TABLE testing_result_load")


def _follow_up_pools(acting_user, tubes: list[Tube], report: ResultsReport) -> None:
    """混管阳性: every member under temporary control (basis: the tube) at once, and a
    door-to-door single retest each. A single-target result (resample) asks for the retests
    only."""
    if not tubes:
        return
    from fangkong.control.services import temporary_control_bulk

    members: dict[int, list[Person]] = defaultdict(list)
    for sample in (Sample.objects.filter(tube__in=tubes, retest=False)
                   .select_related("person__household")):
        members[sample.tube_id].append(sample.person)
    retests, items, control_days = [], [], {}
    for tube in tubes:
        people = members[tube.pk]
        orders = {}
        today = _local_day(tube.tested_at)
        if tube.result == TubeResult.POSITIVE:
            report.positive_pools += 1
            if today not in control_days:
                control_days[today] = rule(today, "pool_control_days")
            days = control_days[today]
            orders = temporary_control_bulk(
                acting_user=acting_user, people=people, basis_ref=f"tube:{tube.barcode}",
                starts_on=today, ends_on=today + datetime.timedelta(days=days - 1),
                reason=_("Positive pool %(barcode)s: controlled until the single retest.")
                % {"barcode": tube.barcode})
            report.people_controlled += len(people)
        else:
            report.resample_pools += 1
        for person in people:
            retests.append(Retest(pool=tube, person=person, order=orders.get(person.pk),
                                  created_by=_user(acting_user)))
            items.append(WorkItem(
                kind=ItemKind.RETEST, place=person.household, person=person, due_on=today,
                key=f"retest:{tube.barcode}:{person.uuid}",
                title=_("Single retest at home for %(name)s (pool %(barcode)s)")
                % {"name": person.name, "barcode": tube.barcode}))
    Retest.objects.bulk_create(retests, ignore_conflicts=True)
    WorkItem.objects.bulk_create(items, ignore_conflicts=True)


@transaction.atomic
def retest_sample(*, acting_user, retest: Retest, barcode: str,
                  at: datetime.datetime | None = None) -> Tube:
    """The door-to-door single tube of a pool member: taken, closed, on its way."""
    _require(acting_user, Perm.SAMPLE)
    retest = (Retest.objects.select_for_update(of=("self",))
              .select_related("pool__round", "person").get(pk=retest.pk))
    if acting_user is not None and not Retest.objects.accessible_to(acting_user).filter(
            pk=retest.pk).exists():
        raise PermissionError("retest outside scope")
    if retest.status != RetestStatus.DUE:
        raise ValidationError(_("This retest is already %(status)s.")
                              % {"status": RetestStatus(retest.status).label}, code="status")
    barcode = _check_barcode(barcode)
    if Tube.objects.filter(barcode=barcode).exists():
        raise _field_error("barcode", _("The barcode %(barcode)s has already been used.")
                           % {"barcode": barcode}, "used")
    at = at or timezone.now()
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise _field_error("sampled_at", _("This time lies in the future."), "future")
    person = retest.person
    tube = Tube.objects.create(
        barcode=barcode, round=retest.pool.round, kind=TubeKind.RETEST, capacity=1, size=1,
        place=person.household, sampler=_user(acting_user), retest_of=retest.pool,
        status=TubeStatus.CLOSED, opened_at=at, closed_at=at, created_by=_user(acting_user))
    Sample.objects.create(round=retest.pool.round, tube=tube, person=person, sampled_at=at,
                          sampler=_user(acting_user), retest=True)
    retest.tube, retest.status = tube, RetestStatus.SAMPLED
    retest.save(update_fields=["tube", "status", "updated_at"])
    WorkItem.objects.open().filter(kind=ItemKind.RETEST,
                                   key=f"retest:{retest.pool.barcode}:{person.uuid}").update(
        done_at=timezone.now(), done_by=_user(acting_user), outcome=_("Sampled"))
    audit_record(actor=acting_user, action="testing.retest_sample", target=person,
                 scope_place=person.household, changes={"retest": (None, barcode)})
    return tube


def _follow_up_retests(acting_user, tubes: list[Tube], report: ResultsReport) -> None:
    """A negative retest lifts the person's temporary control; a positive one reports a
    case found by screening, and proposes the household's unit for a high-risk area."""
    if not tubes:
        return
    from fangkong.cases.models import Route
    from fangkong.control.models import OrderStatus
    from fangkong.control.services import control_order_lift

    for retest in (Retest.objects.filter(tube__in=tubes).select_related(
            "tube", "order", "person__household__parent", "pool")):
        day = _local_day(retest.tube.tested_at)
        order = retest.order if retest.order and retest.order.status == OrderStatus.ACTIVE \
            else None
        if retest.tube.result == TubeResult.NEGATIVE:
            if order:
                control_order_lift(acting_user=acting_user, order=order, reason=_(
                    "Single retest %(barcode)s negative on %(day)s.")
                    % {"barcode": retest.tube.barcode, "day": day.isoformat()})
            retest.status = RetestStatus.NEGATIVE
            report.retests_negative += 1
        elif retest.tube.result == TubeResult.POSITIVE:
            retest.case = _retest_case(acting_user, retest, order, day, Route)
            retest.status = RetestStatus.POSITIVE
            report.cases.append(retest.case)
            _propose_risk_area(retest)
        else:  # resample: sample again
            retest.status, retest.tube = RetestStatus.DUE, None
            WorkItem.objects.filter(kind=ItemKind.RETEST, key=_retest_key(retest)).update(
                done_at=None, done_by=None, outcome="")
        retest.closed_at = timezone.now() if retest.status != RetestStatus.DUE else None
        retest.save(update_fields=["status", "case", "tube", "closed_at", "updated_at"])


def _retest_key(retest: Retest) -> str:
    return f"retest:{retest.pool.barcode}:{retest.person.uuid}"


def _retest_case(acting_user, retest, order, day, route_choices):
    from fangkong.cases.models import Classification
    from fangkong.cases.selectors import outbreak_on
    from fangkong.cases.services import case_report
    from fangkong.control.services import control_order_escalate

    route = route_choices.COMMUNITY_SCREENING
    if order is not None:
        return control_order_escalate(acting_user=acting_user, order=order, day=day,
                                      route=route)
    outbreak = outbreak_on(day)
    if outbreak is None:
        raise ValidationError(_("No outbreak is on record for %(day)s: record one before "
                                "reporting the case.") % {"day": day.isoformat()},
                              code="no_outbreak")
    return case_report(acting_user=acting_user, person=retest.person, outbreak=outbreak,
                       classification=Classification.ASYMPTOMATIC, route=route,
                       reported_at=timezone.now(), sample_date=day, by_rule=True)


def _propose_risk_area(retest: Retest) -> None:
    """Until risk areas are a capability, the unit is proposed in the inbox of the people who
    would designate it."""
    unit = retest.person.household.parent
    WorkItem.objects.get_or_create(
        kind=ItemKind.RISK_AREA, key=f"risk_area:{unit.uuid}",
        defaults={"place": unit, "person": retest.person, "due_on": timezone.localdate(),
                  "title": _("Consider %(place)s for a high-risk area: %(name)s tested "
                             "positive on a single retest") % {"place": unit.name,
                                                                "name": retest.person.name}})


@transaction.atomic
def lab_create(*, acting_user, name: str, code: str, place: Place,
               members: list = ()) -> Laboratory:
    """A laboratory that receives tubes and reports results; its members are the accounts
    (role laboratory) that act for it."""
    _require(acting_user, Perm.MANAGE_FACILITIES)
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the laboratory a name.")
    if not BARCODE.match(code or "") or Laboratory.objects.filter(code=code).exists():
        errors["code"] = _("A laboratory code is 4 to 40 letters, digits or hyphens, "
                           "used once.")
    if Laboratory.objects.filter(name=name.strip()).exists():
        errors["name"] = _("A laboratory with this name exists.")
    wrong = [u.username for u in members if u.role != Role.LABORATORY]
    if wrong:
        errors["members"] = _("Not a laboratory account: %(names)s") % {
            "names": ", ".join(wrong)}
    if errors:
        raise ValidationError(errors, code="invalid")
    lab = Laboratory.objects.create(name=name.strip(), code=code, place=place,
                                    created_by=_user(acting_user))
    lab.members.set(members)
    audit_record(actor=acting_user, action="testing.lab_create", target=lab, scope_place=place,
                 changes={"members": (None, sorted(u.username for u in members))})
    return lab
