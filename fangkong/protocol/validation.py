"""Is a profile's `values` complete and well formed? Every mistake named by its path.

A profile is data typed in by the command centre (or copied and changed), and the plan engine,
the discharge rule and the risk-area lifecycle read it as they find it. So a new version is
checked key by key before it is saved: every key of `KEYS` with the right type, plans with
known bases and phase kinds, test days inside their phase. Each problem is reported as
"path: message", the path written like `plans.close-contact.phases[0].days`.

The vocabulary (bases, phase kinds, colours, risk levels) and its labels live here too, so the
pages, the API and the command show the same words.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.control.models import Colour, OrderKind
from fangkong.protocol.models import KEYS
from fangkong.protocol.plans import BASES, NoSuchBasis, plan
from fangkong.protocol.selectors import ProfileMissing, profile_on

TESTING = "testing"  # a phase of tests only, no control (3天3检)
PHASE_KINDS = (*OrderKind.values, TESTING)
RISK_LEVELS = ("high", "medium", "low")

BASIS_LABELS = {
    "close-contact": gettext_lazy("Close contact"),
    "secondary-contact": gettext_lazy("Secondary contact"),
    "high-risk-outflow": gettext_lazy("Left a high-risk area"),
    "arrival-low-risk": gettext_lazy("Arrival from a low-risk area"),
    "discharge": gettext_lazy("Discharged or released case"),
    "high-risk-post": gettext_lazy("High-risk post"),
}
PHASE_KIND_LABELS = {**dict(OrderKind.choices), TESTING: gettext_lazy("Tests only")}
RISK_LEVEL_LABELS = {
    "high": gettext_lazy("High risk"),
    "medium": gettext_lazy("Medium risk"),
    "low": gettext_lazy("Low risk"),
}

# key: (kind of number, smallest value allowed)
NUMBERS = {
    "discharge_ct_min": ("number", 1),
    "discharge_tests_required": ("integer", 1),
    "discharge_test_spacing_hours": ("number", 0),
    "serial_interval_mean": ("number", 0.1),
    "serial_interval_sd": ("number", 0.1),
    "rt_window_days": ("integer", 1),
    "contact_lookback_days": ("integer", 0),
    "pcr_cutoff_ct": ("number", 1),
    "risk_area_lift_days": ("integer", 1),
    "ct_valid_max": ("number", 1),
    "pool_control_days": ("integer", 1),
    "turnaround_target_hours": ("number", 1),
    "checkin_stay_minutes": ("integer", 1),
    "checkin_max_stay_minutes": ("integer", 10),
    "companion_min_overlap_minutes": ("integer", 1),
    "exposure_site_min_visitors": ("integer", 2),
    "investigation_core_hours": ("number", 1),
}
POOLING_WORDS = ("single", "household")
MAX_POOL = 20


def basis_label(basis: str) -> str:
    return str(BASIS_LABELS.get(basis, basis))


def kind_label(kind: str) -> str:
    return str(PHASE_KIND_LABELS.get(kind, kind))


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Report:
    def __init__(self):
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(_("%(path)s: %(problem)s") % {"path": path, "problem": message})

    def integer(self, path: str, value, minimum: int, maximum: int | None = None) -> bool:
        if not _is_integer(value):
            self.add(path, _("must be a whole number"))
            return False
        if value < minimum:
            self.add(path, _("must be at least %(minimum)s") % {"minimum": minimum})
            return False
        if maximum is not None and value > maximum:
            self.add(path, _("must be at most %(maximum)s") % {"maximum": maximum})
            return False
        return True


def validate_values(values) -> list[str]:
    """The problems of a profile's values, each as "path: message"; empty when all is well."""
    report = _Report()
    if not isinstance(values, dict):
        report.add("values", _("must be an object of keys and values"))
        return report.problems
    for key in KEYS:
        if key not in values:
            report.add(key, _("missing"))
    for key in sorted(set(values) - set(KEYS)):
        report.add(key, _("unknown key"))
    for key, (kind, minimum) in NUMBERS.items():
        if key in values:
            _check_number(report, key, values[key], kind, minimum)
    if "code_colours" in values:
        _check_colours(report, values["code_colours"])
    if "risk_levels" in values:
        _check_risk_levels(report, values["risk_levels"])
    if "plans" in values:
        _check_plans(report, values["plans"])
    if "pooling" in values:
        _check_pooling(report, values["pooling"], values.get("risk_levels"))
    return report.problems


def _check_pooling(report: _Report, pooling, levels) -> None:
    """One entry per risk level in use: 'single', 'household' or a pool size of 2 to 20."""
    if not isinstance(pooling, dict):
        report.add("pooling", _("must map each risk level to a pooling rule"))
        return
    if not (isinstance(levels, list) and levels and len(set(map(str, levels))) == len(levels)
            and all(lv in RISK_LEVELS for lv in levels)):
        levels = None  # the levels are wrong themselves, reported above: check values only
    for level in levels or ():
        if level not in pooling:
            report.add(f"pooling.{level}", _("missing"))
    for level, rule in pooling.items():
        path = f"pooling.{level}"
        if levels is not None and level not in levels:
            report.add(path, _("not a risk level in use"))
        elif rule not in POOLING_WORDS:
            report.integer(path, rule, 1, MAX_POOL)


def _check_number(report: _Report, path: str, value, kind: str, minimum) -> None:
    if kind == "integer":
        report.integer(path, value, minimum)
    elif not _is_number(value):
        report.add(path, _("must be a number"))
    elif value < minimum:
        report.add(path, _("must be at least %(minimum)s") % {"minimum": minimum})


def _check_colours(report: _Report, colours) -> None:
    if not isinstance(colours, dict):
        report.add("code_colours", _("must map each kind of control to a colour"))
        return
    for kind in OrderKind.values:
        path = f"code_colours.{kind}"
        if kind not in colours:
            report.add(path, _("missing"))
        elif colours[kind] not in Colour.values:
            report.add(path, _("must be one of %(choices)s")
                       % {"choices": ", ".join(Colour.values)})
    for kind in sorted(set(colours) - set(OrderKind.values)):
        report.add(f"code_colours.{kind}", _("unknown kind of control"))


def _check_risk_levels(report: _Report, levels) -> None:
    if not isinstance(levels, list) or not levels:
        report.add("risk_levels", _("must be a non-empty list"))
        return
    for index, level in enumerate(levels):
        if level not in RISK_LEVELS:
            report.add(f"risk_levels[{index}]", _("must be one of %(choices)s")
                       % {"choices": ", ".join(RISK_LEVELS)})
    if len(set(map(str, levels))) != len(levels):
        report.add("risk_levels", _("lists a level twice"))


def _check_plans(report: _Report, plans) -> None:
    if not isinstance(plans, dict):
        report.add("plans", _("must map each basis to its plan"))
        return
    for basis, entry in plans.items():
        path = f"plans.{basis}"
        if basis not in BASES:
            report.add(path, _("unknown basis; known: %(choices)s")
                       % {"choices": ", ".join(BASES)})
        elif not isinstance(entry, dict):
            report.add(path, _("must be an object with a rule and phases"))
        else:
            _check_plan(report, path, entry)


def _check_plan(report: _Report, path: str, entry: dict) -> None:
    rule = entry.get("rule")
    if not isinstance(rule, str) or not rule.strip():
        report.add(f"{path}.rule", _("name the rule this plan follows"))
    for key in sorted(set(entry) - {"rule", "phases"}):
        report.add(f"{path}.{key}", _("unknown key"))
    phases = entry.get("phases")
    if not isinstance(phases, list) or not phases:
        report.add(f"{path}.phases", _("must be a non-empty list of phases"))
        return
    for index, phase in enumerate(phases):
        _check_phase(report, f"{path}.phases[{index}]", phase)


def _check_phase(report: _Report, path: str, phase) -> None:
    if not isinstance(phase, dict):
        report.add(path, _("must be an object with kind, days and test_days"))
        return
    for key in sorted(set(phase) - {"kind", "days", "test_days"}):
        report.add(f"{path}.{key}", _("unknown key"))
    if phase.get("kind") not in PHASE_KINDS:
        report.add(f"{path}.kind", _("must be one of %(choices)s")
                   % {"choices": ", ".join(PHASE_KINDS)})
    days = phase.get("days")
    days_ok = report.integer(f"{path}.days", days, 1)
    tests = phase.get("test_days")
    if not isinstance(tests, list):
        report.add(f"{path}.test_days", _("must be a list of day numbers"))
        return
    if phase.get("kind") == TESTING and not tests:
        report.add(f"{path}.test_days", _("a phase of tests only needs at least one test day"))
    in_range = all([report.integer(f"{path}.test_days[{i}]", day, 1, days if days_ok else None)
                    for i, day in enumerate(tests)])
    if in_range and tests != sorted(set(tests)):
        report.add(f"{path}.test_days", _("must be in increasing order, each day once"))


class PlanRefused(LookupError):
    """No plan for this request; the message says why, in the user's language."""


def plan_for(basis: str, start, disease: str = "covid-19") -> list:
    """`plans.plan`, with every refusal (unknown basis, no such plan under the rules in force,
    no rules in force at all) as a PlanRefused that says why."""
    if basis not in BASES:
        raise PlanRefused(_("%(basis)s is not a basis of control; use one of: %(bases)s.")
                          % {"basis": basis, "bases": ", ".join(BASES)})
    try:
        return plan(basis, start, disease)
    except NoSuchBasis:
        profile = profile_on(start, disease)
        named = _("%(label)s (%(code)s)") % {"label": basis_label(basis), "code": basis}
        raise PlanRefused(_("The rules in force on %(day)s (%(profile)s) have no plan for "
                            "%(basis)s.") % {"day": start.isoformat(), "profile": profile.name,
                                             "basis": named}) from None
    except ProfileMissing:
        raise PlanRefused(_("No protocol profile was in force on %(day)s.")
                          % {"day": start.isoformat()}) from None
