from django import forms
from django.utils.translation import gettext_lazy as _


class CheckInForm(forms.Form):
    """ID number and phone of someone without an account. Not required here: the service
    checks both and its messages are the ones shown."""

    id_number = forms.CharField(
        label=_("ID number"), max_length=30, required=False, widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, required=False, widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
