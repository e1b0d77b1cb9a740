"""Forms of the control pages: field types and choices only; the rules live in the services."""

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.control.models import Basis, OrderKind, OrderStatus, Result, Symptom
from fangkong.protocol.plans import BASES
from fangkong.protocol.validation import BASIS_LABELS

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"

def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _all(choices):
    return [("", _("All")), *choices]


REASON = _("Reason")


def _reason(label=REASON):
    return forms.CharField(label=label, required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


# --- the register -------------------------------------------------------------------------

class RegisterFilterForm(forms.Form):
    """The register's filters; every value arrives in the query string, so each is checked."""

    q = forms.CharField(label=_("Name"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_all(OrderKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_all(OrderStatus.choices))
    basis = forms.ChoiceField(label=_("Basis"), required=False, choices=_all(Basis.choices))
    community = forms.ChoiceField(label=_("Community"), required=False, error_messages={
        "invalid_choice": _("This community is unknown or outside your area.")})
    day = forms.DateField(label=_("In force on"), required=False, widget=_date_input())

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = _all((str(c.uuid), c.name) for c in communities)


class LedgerFilterForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"), required=False, error_messages={
        "invalid_choice": _("This community is unknown or outside your area.")})
    day = forms.DateField(label=_("Day"), required=False, widget=_date_input())

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All of my area")),
                                            *((str(c.uuid), c.name) for c in communities)]


# --- placing a person under control -------------------------------------------------------

def _previewed(widget):
    """Ask the server for the plan's phases whenever the plan or the first day changes."""
    widget.attrs.update({"hx-get": reverse_lazy("control:preview"), "hx-trigger": "change",
                         "hx-target": "#plan-preview",
                         "hx-include": "[name=plan_basis],[name=starts_on]"})
    return widget


class OrderForm(forms.Form):
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    basis = forms.ChoiceField(label=_("Basis"), choices=[("", "—"), *Basis.choices])
    basis_case = forms.CharField(
        label=_("Case number"), required=False, max_length=40,
        help_text=_("The case behind the order, if it is in your area."))
    basis_ref = forms.CharField(
        label=_("Reference"), required=False, max_length=120,
        help_text=_("Otherwise the pool, arrival, area or document behind the order."))
    starts_on = forms.DateField(label=_("First day"), widget=_previewed(_date_input()),
                                help_text=_("Day 1 of the order."))
    plan_basis = forms.ChoiceField(
        label=_("Plan of the rules in force"), required=False,
        choices=[("", _("No plan: give the kind, last day and test days")),
                 *((basis, BASIS_LABELS[basis]) for basis in BASES)],
        widget=_previewed(forms.Select()))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", "—"), *OrderKind.choices])
    ends_on = forms.DateField(label=_("Planned last day"), required=False,
                              widget=_date_input())
    test_days = forms.CharField(
        label=_("Test days"), required=False, max_length=60,
        help_text=_("Day numbers separated by commas; day 1 is the first day, e.g. 1, 3, 5"))
    reason = forms.CharField(
        label=REASON, required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a manual decision."))

    NO_PLAN_FIELDS = ("kind", "ends_on", "test_days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate

    def clean_test_days(self):
        text = self.cleaned_data["test_days"].replace("，", ",").replace("、", ",")
        try:
            return sorted({int(part) for part in text.replace(" ", ",").split(",") if part})
        except ValueError:
            raise forms.ValidationError(_("Give whole day numbers, e.g. 1, 3, 5."),
                                        code="invalid") from None

    def clean(self):
        """Day numbers become dates counted from the first day (day 1 = the first day)."""
        data = super().clean()
        start, numbers = data.get("starts_on"), data.get("test_days")
        data["test_days"] = [start + datetime.timedelta(days=n - 1)
                             for n in numbers] if start and numbers else []
        return data

    def manual_fields(self):
        return [self[name] for name in self.NO_PLAN_FIELDS]


class PreviewForm(forms.Form):
    plan_basis = forms.ChoiceField(required=False, choices=[("", ""), *((b, b) for b in BASES)])
    starts_on = forms.DateField(required=False)


# --- actions on an order ------------------------------------------------------------------

class ActionForm(forms.Form):
    """One action of the order page; ids are prefixed so several forms share a page."""

    action = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)


class TestResultForm(ActionForm):
    action = "test"
    day = forms.DateField(label=_("Scheduled day"), widget=forms.Select)
    result = forms.ChoiceField(label=_("Result"), widget=forms.RadioSelect, choices=[
        (r.value, r.label) for r in (Result.NEGATIVE, Result.POSITIVE, Result.MISSED)])

    def __init__(self, *args, tests, **kwargs):
        super().__init__(*args, **kwargs)
        pending = [t for t in tests if not t.result]
        self.fields["day"].widget.choices = [
            (t.day.isoformat(), f"{t.day:%Y-%m-%d}" + (f" · {t.get_result_display()}"
                                                        if t.result else "")) for t in tests]
        if pending:
            self.fields["day"].initial = pending[0].day.isoformat()


class HealthCheckForm(ActionForm):
    action = "check"
    taken_at = forms.DateTimeField(
        label=_("Taken at"), help_text=_("Beijing time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE))
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"), max_digits=3, decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}))
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), required=False,
                                         choices=Symptom.choices,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].initial = lambda: timezone.localtime().replace(
            second=0, microsecond=0)


class ReleaseForm(ActionForm):
    action = "release"
    reason = _reason(_("Note"))


class CancelForm(ActionForm):
    action = "cancel"
    reason = _reason(_("Why is the order cancelled?"))


class ApproveForm(ActionForm):
    action = "approve"
    reason = _reason(_("Note"))


def action_form(action, order, data=None):
    if action == "test":
        return TestResultForm(data, tests=list(order.tests.all()))
    return ACTION_FORMS[action](data)


ACTION_FORMS = {form.action: form for form in (
    TestResultForm, HealthCheckForm, ReleaseForm, CancelForm, ApproveForm)}
