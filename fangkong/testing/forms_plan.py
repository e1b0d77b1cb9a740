"""Forms of the organisers' pages (rounds, exemptions, sites, schedules): field types and
choices only; the rules live in `fangkong.testing.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.testing.models import ExemptReason, RiskLevel

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
NOT_IN_ROUND = ("", "—")


def _local_time(label):
    return forms.DateTimeField(
        label=label, help_text=_("Beijing time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE))


class RoundForm(forms.Form):
    """A round: its number, name and times, and a risk level for each place it covers (a
    place left at "—" is not in the round). `candidates` are the places the user may choose,
    `levels` the risk levels of the profile in force."""

    number = forms.IntegerField(label=_("Round number"), min_value=1)
    name = forms.CharField(label=_("Round name"), max_length=100)
    starts_at = _local_time(_("Sampling starts"))
    ends_at = _local_time(_("Sampling ends"))
    places = forms.CharField(required=False, widget=forms.HiddenInput)  # errors of the choice

    def __init__(self, *args, candidates, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        choices = [NOT_IN_ROUND, *((v, RiskLevel(v).label) for v in levels)]
        for place in self.candidates:
            self.fields[self.key(place)] = forms.ChoiceField(
                label=place.name, required=False, choices=choices,
                error_messages={"invalid_choice": _("The profile in force knows no such "
                                                    "risk level.")})

    @staticmethod
    def key(place) -> str:
        return f"risk_{place.uuid.hex}"

    def place_rows(self):
        """(place, its risk field) in tree order, for the table of places."""
        return [(place, self[self.key(place)]) for place in self.candidates]

    def chosen(self) -> list[tuple]:
        data = self.cleaned_data
        return [(place, data[self.key(place)]) for place in self.candidates
                if data.get(self.key(place))]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("open", "open"), ("closed", "closed")])


class ExemptionForm(forms.Form):
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=ExemptReason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=200,
                           widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is the exemption withdrawn?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SiteForm(forms.Form):
    venue = forms.CharField(
        label=_("Venue code"), max_length=16,
        help_text=_("The code on the venue's QR poster; the venue must lie in your area."),
        widget=forms.TextInput(attrs={"list": "venues", "autocomplete": "off"}))
    points = forms.IntegerField(label=_("Sampling points"), min_value=1, max_value=500)
    per_point_hour = forms.IntegerField(label=_("People per point per hour"), min_value=1,
                                        max_value=1000)


class SamplersForm(forms.Form):
    samplers = forms.MultipleChoiceField(label=_("Samplers"), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, samplers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["samplers"].choices = [(str(u.uuid), f"{u} ({u.scope.name})")
                                           for u in samplers]


class ScheduleForm(forms.Form):
    place = forms.ChoiceField(
        label=_("Community or street"),
        error_messages={"invalid_choice": _("This place is unknown, outside your area or "
                                            "outside the round.")})

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(str(p.uuid), p.name) for p in places]
