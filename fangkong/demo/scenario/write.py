"""Replay a plan through the case services, as the command centre would have typed it."""

from fangkong.cases import services
from fangkong.cases.models import Facility, Outbreak, Outcome
from fangkong.people.models import Person

PERSON_BATCH = 500


def create_outbreak(scenario, districts: dict, acting_user) -> Outbreak:
    return services.outbreak_create(acting_user=acting_user, code=scenario.code,
                                    name=scenario.name, start_date=scenario.start,
                                    places=list(districts.values()))


def ensure_facilities(scenario, districts: dict, acting_user) -> dict[str, Facility]:
    """The scenario's facilities; one that exists already by name is used as it is."""
    existing = Facility.objects.in_bulk([f["name"] for f in scenario.facilities],
                                        field_name="name")
    return {f["name"]: existing.get(f["name"]) or services.facility_create(
        acting_user=acting_user, name=f["name"], kind=f["kind"],
        place=districts[f["district"]], beds=f["beds"]) for f in scenario.facilities}


def people_by_id(ids: list[int]) -> dict[int, Person]:
    people = {}
    for start in range(0, len(ids), PERSON_BATCH):
        people.update(Person.objects.select_related("household")
                      .in_bulk(ids[start:start + PERSON_BATCH]))
    return people


def write_cases(plans, outbreak: Outbreak, facilities: dict, acting_user, progress) -> None:
    """Report the cases in order, each followed by its course; the caller holds the
    transaction. Numbers follow report order, as `case_report` would give them."""
    people = people_by_id([plan.person_id for plan in plans])
    for index, plan in enumerate(plans, start=1):
        case = services.case_report(
            acting_user=acting_user, person=people[plan.person_id], outbreak=outbreak,
            number=f"{outbreak.code}-{index:05d}",
            classification=plan.classification, reported_at=plan.reported_at,
            route=plan.route, sample_date=plan.sample_date, **plan.reported_as)
        for step in plan.steps:
            _STEPS[step.action](acting_user, case, step, facilities)
        if index % 250 == 0:
            progress(index)


def _admit(acting_user, case, step, facilities):
    services.case_admit(acting_user=acting_user, case=case, at=step.at,
                        facility=facilities[step.args["facility"]])


def _reclassify(acting_user, case, step, facilities):
    services.case_reclassify(acting_user=acting_user, case=case, at=step.at, **step.args)


def _clinical_type(acting_user, case, step, facilities):
    services.case_change_clinical_type(acting_user=acting_user, case=case, at=step.at,
                                       **step.args)


def _test(acting_user, case, step, facilities):
    services.case_test_record(acting_user=acting_user, case=case, sampled_at=step.at,
                              **step.args)


def _discharge(acting_user, case, step, facilities):
    services.case_discharge(acting_user=acting_user, case=case, at=step.at)


def _release(acting_user, case, step, facilities):
    services.case_release(acting_user=acting_user, case=case, at=step.at)


_STEPS = {"admit": _admit, "reclassify": _reclassify, "clinical_type": _clinical_type,
          "test": _test, Outcome.DISCHARGED: _discharge, Outcome.RELEASED: _release}
