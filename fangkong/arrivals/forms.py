"""Forms of the arrival pages: field types and choices only; the rules live in the services
(which also say what is missing, so every fault is reported at once).

The origin is three selects (province › city › county) whose choices follow the values
already chosen, so a form re-shown with errors keeps them; htmx refills the lower selects
when a higher one changes (`/arrivals/options/...`).
"""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.arrivals import origins
from fangkong.arrivals.models import RiskLevel, Transport
from fangkong.people.models import IdType, Sex

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
PICK = "—"
BEIJING_TIME = _("Beijing time")


def _when(label, help_text=BEIJING_TIME):
    return forms.DateTimeField(
        label=label, required=False, help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE))


def _cascade(url, target):
    return {"hx-get": url, "hx-target": target, "hx-trigger": "change", "hx-include": "this",
            "hx-swap": "innerHTML"}


def _options(divisions):
    return [("", PICK), *((d.code, d.name) for d in divisions)]


class OriginFields(forms.Form):
    """Province › city › county. `origin_code()` is the finest one chosen."""

    origin_province = forms.ChoiceField(label=_("Province"), required=False)
    origin_city = forms.ChoiceField(label=_("City"), required=False)
    origin_county = forms.ChoiceField(label=_("County or district"), required=False)

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year or timezone.localdate().year
        data = self.data if self.is_bound else self.initial
        province, city = data.get("origin_province", ""), data.get("origin_city", "")
        fields = self.fields
        fields["origin_province"].choices = _options(origins.provinces(self.year))
        cities = origins.cities(province, self.year) if province else ()
        fields["origin_city"].choices = _options(cities)
        known = city[:2] == province[:2] and city in {c.code for c in cities}
        counties = origins.counties(city, self.year) if city and known else ()
        fields["origin_county"].choices = _options(counties)
        self.has_counties = bool(counties)
        fields["origin_province"].widget.attrs.update(
            _cascade(reverse_lazy("arrivals:options_cities"), "#origin-city-step"))
        fields["origin_city"].widget.attrs.update(
            _cascade(reverse_lazy("arrivals:options_counties"), "#origin-county-step"))

    def origin_code(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return (data.get("origin_county") or data.get("origin_city")
                or data.get("origin_province") or "")


class ArrivalForm(OriginFields):
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices,
                                initial=IdType.MAINLAND, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=32, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"},
                                                        format="%Y-%m-%d"))
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", PICK), *Sex.choices])
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel",
                                                          "autocomplete": "tel",
                                                          "inputmode": "numeric"}))
    arrival_at = _when(_("Arrival time"))
    transport = forms.ChoiceField(label=_("Transport"), choices=Transport.choices,
                                  initial=Transport.CAR, required=False)
    transport_number = forms.CharField(
        label=_("Train, flight or plate number"), required=False, max_length=20,
        help_text=_("Required for a train or a plane."))
    test_taken_at = _when(_("Last negative test taken at"),
                          help_text=_("Optional. Beijing time."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["id_number"].widget.attrs.update(autocomplete="off",
                                                     autocapitalize="characters")


class RiskRegionForm(OriginFields):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices,
                              initial=RiskLevel.HIGH, required=False)
    valid_from = forms.DateField(label=_("Listed from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"},
                                                        format="%Y-%m-%d"))
    source = forms.CharField(label=_("Source"), max_length=300, required=False,
                             help_text=_("The notice that lists it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_county"].help_text = _("Leave empty to list the whole city.")


class EndForm(forms.Form):
    last_day = forms.DateField(label=_("Last day listed"),
                               widget=forms.DateInput(attrs={"type": "date"},
                                                      format="%Y-%m-%d"))
