"""Forms of the protocol pages: field types and choices only; the rules live in the services
and in `validation`."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.protocol.plans import BASES
from fangkong.protocol.validation import basis_label


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def pretty(values) -> str:
    """Values as the textarea shows them: indented, Chinese left readable."""
    return json.dumps(values, ensure_ascii=False, indent=2)


class CalculatorForm(forms.Form):
    """Basis + first day → the plan of the rules in force that day (arrives by GET)."""

    basis = forms.ChoiceField(label=_("Basis of control"))
    start = forms.DateField(label=_("First day (day 1)"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = [(basis, basis_label(basis)) for basis in BASES]


class ProfileForm(forms.Form):
    """A new version of a profile, or the change of one not yet in force. `values` is the JSON
    text; its contents are checked by the service, which names each mistake by its path."""

    code = forms.SlugField(
        label=_("Code"), max_length=40,
        help_text=_("Lower-case letters, digits and hyphens; it names the profile in the API."))
    name = forms.CharField(label=_("Name"), max_length=120)
    valid_from = forms.DateField(
        label=_("In force from"), widget=_date_input(),
        help_text=_("Today or later: rules already in force are not rewritten."))
    source_doc = forms.CharField(label=_("Source document"), max_length=300,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    values = forms.CharField(
        label=_("Values (JSON)"), strip=False, max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 28, "class": "code", "spellcheck": "false"}),
        help_text=_("Every value of the rules: durations, test days, thresholds and the plans "
                    "of control. Errors name the place of the mistake, e.g. "
                    "plans.close-contact.phases[0].days."))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["version"]

    def clean_values(self):
        text = self.cleaned_data["values"]
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(problem)s at line %(line)s, column %(column)s."),
                code="json", params={"problem": error.msg, "line": error.lineno,
                                     "column": error.colno}) from None
        except RecursionError:
            raise forms.ValidationError(_("The values are nested too deeply."),
                                        code="json") from None
        if not isinstance(values, dict):
            raise forms.ValidationError(_("The values must be one JSON object: { … }."),
                                        code="json")
        return values
