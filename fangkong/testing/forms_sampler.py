"""Forms of the sampler's pages: field types and input hints only; the rules live in the
services. Scanners type into the focused input and press Enter, so every scan field is a
one-field form that submits on Enter.

`inputmode="text"` on purpose for both scan fields: barcodes carry letters and hyphens, and
an ID number may end in X, which a numeric phone keypad cannot type.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

SCAN_ATTRS = {"inputmode": "text", "autocomplete": "off", "autocapitalize": "characters",
              "autocorrect": "off", "spellcheck": "false", "enterkeyhint": "go"}


def _scan_input(**attrs):
    return forms.TextInput(attrs={**SCAN_ATTRS, **attrs})


class ChooseForm(forms.Form):
    """Where and for which round the sampler works today (kept in the session)."""

    site = forms.ChoiceField(label=_("Sampling site"), widget=forms.RadioSelect, error_messages={
        "invalid_choice": _("This site is not assigned to you."),
        "required": _("Choose your sampling site.")})
    round = forms.ChoiceField(label=_("Test round"), widget=forms.RadioSelect, error_messages={
        "invalid_choice": _("This round is not open for sampling in your area."),
        "required": _("Choose the round.")})

    def __init__(self, *args, sites, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(str(s.uuid), s.venue.name) for s in sites]
        self.fields["round"].choices = [(str(r.uuid), r.name) for r in rounds]
        for name in ("site", "round"):
            if len(self.fields[name].choices) == 1:
                self.fields[name].initial = self.fields[name].choices[0][0]


class BarcodeForm(forms.Form):
    barcode = forms.CharField(label=_("Tube barcode"), max_length=40,
                              widget=_scan_input(placeholder=_("Scan or type the barcode")),
                              error_messages={"required": _("Scan or type the barcode.")})


class IdNumberForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=32,
                                widget=_scan_input(placeholder=_("Scan or type the ID number")),
                                error_messages={"required": _("Enter the ID number.")})


class VisitorForm(forms.Form):
    """A person the system does not know, registered at the site: the ID number comes
    prefilled from the refused scan, so the name is the only thing to type."""

    prefix = "visitor"

    id_number = forms.CharField(label=_("ID number"), max_length=32, widget=_scan_input())
    name = forms.CharField(label=_("Name"), max_length=60,
                           error_messages={"required": _("Enter the name.")},
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                          "autocomplete": "off"}))


class PickForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)


class PickerForm(forms.Form):
    """A building and one of its units, to list the residents not yet sampled."""

    building = forms.ChoiceField(label=_("Building"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args, buildings, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", "—"), *buildings]
        self.fields["unit"].choices = [("", "—"), *units]
