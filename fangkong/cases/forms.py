"""Forms of the case pages: field types and choices only; the rules live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.cases.models import (
    Classification,
    ClinicalType,
    FacilityKind,
    Outcome,
    Route,
)
from fangkong.cases.selectors import BUCKETS

STATUS_CHOICES = [("", _("All")), ("open", Outcome.OPEN.label),
                  (Outcome.DISCHARGED, Outcome.DISCHARGED.label),
                  (Outcome.RELEASED, Outcome.RELEASED.label), (Outcome.DIED, Outcome.DIED.label)]
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, **kwargs):
    return forms.DateField(label=label, required=False, widget=_date_input(), **kwargs)


TIME = _("Time")
REASON = _("Reason")


def _when(label=TIME):
    """A local (Asia/Shanghai) minute; the browser shows its own picker."""
    return forms.DateTimeField(
        label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                format=LOCAL_MINUTE),
        help_text=_("Beijing time"))


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


# --- the register -------------------------------------------------------------------------

class RegisterFilterForm(forms.Form):
    """The register's filters; every value arrives in the query string, so each is checked."""

    q = forms.CharField(label=_("Case number or name"), required=False, max_length=60)
    outbreak = forms.ChoiceField(label=_("Outbreak"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False, error_messages={
        "invalid_choice": _("This district is unknown or outside your area.")})
    classification = forms.ChoiceField(
        label=_("Classification"), required=False,
        choices=[("", _("All")), *Classification.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    reported_from = _date(_("Reported from"))
    reported_to = _date(_("Reported to"))
    bucket = forms.ChoiceField(
        label=_("Bulletin figure"), required=False, widget=forms.HiddenInput,
        choices=[("", ""), *((name, label) for name, (label, _q) in BUCKETS.items())])
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, outbreaks, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outbreak"].choices = [("", _("All outbreaks")),
                                           *((o.code, o.name) for o in outbreaks)]
        self.fields["district"].choices = [("", _("All")),
                                           *((str(d.uuid), d.name) for d in districts)]

    def clean(self):
        data = super().clean()
        first, last = data.get("reported_from"), data.get("reported_to")
        if first and last and first > last:
            self.add_error("reported_to", _("The last day is before the first day."))
        if data.get("bucket") and not data.get("as_of"):
            self.add_error("as_of", _("A bulletin figure needs the day it is counted on."))
        return data


# --- the report form ----------------------------------------------------------------------

class ReportForm(forms.Form):
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    outbreak = forms.ChoiceField(label=_("Outbreak"))
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices,
                                       widget=forms.RadioSelect)
    clinical_type = forms.ChoiceField(
        label=_("Clinical type"), required=False,
        choices=[("", _("None (asymptomatic)")), *ClinicalType.choices])
    reported_at = _when(_("Reported at"))
    sample_date = _date(_("Sample date"))
    onset_date = _date(_("Onset date"), help_text=_("Confirmed cases only."))
    route = forms.ChoiceField(label=_("Where found"), choices=[("", "—"), *Route.choices])
    imported = forms.BooleanField(label=_("Imported"), required=False)

    def __init__(self, *args, outbreaks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outbreak"].choices = [(o.code, o.name) for o in outbreaks]
        self.fields["reported_at"].initial = _now


# --- actions on a case --------------------------------------------------------------------

class ActionForm(forms.Form):
    """One action of the case page; ids are prefixed so several forms share a page."""

    action = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField):
                field.initial = _now


def _clinical_type():
    return forms.ChoiceField(label=_("Clinical type"),
                             choices=[("", "—"), *ClinicalType.choices])


def _reason(required=False, label=REASON):
    return forms.CharField(label=label, required=required, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReclassifyForm(ActionForm):
    action = "reclassify"
    at = _when()
    clinical_type = _clinical_type()
    onset_date = _date(_("Onset date"))
    reason = _reason()


class ClinicalTypeForm(ActionForm):
    action = "clinical_type"
    at = _when()
    clinical_type = _clinical_type()
    reason = _reason()


class FacilityChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, occupied=None, **kwargs):
        self.occupied = occupied or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return _("%(name)s (%(kind)s, %(occupied)s of %(beds)s beds taken)") % {
            "name": obj.name, "kind": obj.get_kind_display(),
            "occupied": self.occupied.get(obj.pk, 0), "beds": obj.beds}


class AdmitForm(ActionForm):
    action = "admit"
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=None, to_field_name="uuid")
    at = _when()
    reason = _reason()

    def __init__(self, *args, facilities, occupied, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"] = FacilityChoiceField(
            label=_("Facility"), queryset=facilities, to_field_name="uuid", occupied=occupied,
            empty_label="—")


class CaseTestForm(ActionForm):
    action = "test"
    sampled_at = _when(_("Sampled at"))
    ct_n = forms.DecimalField(label=_("Ct (N gene)"), required=False, max_digits=4,
                              decimal_places=1, help_text=_("Leave empty if not detected."))
    ct_orf1ab = forms.DecimalField(label=_("Ct (ORF1ab gene)"), required=False, max_digits=4,
                                   decimal_places=1, help_text=_("Leave empty if not detected."))


class EndForm(ActionForm):
    """Discharge or release; the override field exists only for users allowed to override."""

    at = _when()
    override_reason = _reason(label=_("Reason to override the test rule"))

    def __init__(self, *args, can_override, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]


class DischargeForm(EndForm):
    action = "discharge"


class ReleaseForm(EndForm):
    action = "release"


class DieForm(ActionForm):
    action = "die"
    at = _when()
    reason = _reason(required=True, label=_("Cause of death"))


ACTION_FORMS = {form.action: form for form in (
    ReclassifyForm, ClinicalTypeForm, AdmitForm, CaseTestForm, DischargeForm, ReleaseForm, DieForm)}


# --- facilities ---------------------------------------------------------------------------

class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=_date_input())


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("Facility name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    place = forms.ChoiceField(label=_("District"))
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=100000)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "—"), *((str(d.uuid), d.name) for d in districts)]
