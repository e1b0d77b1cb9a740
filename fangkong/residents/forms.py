"""Forms of the residents' pages: field types and choices only; the rules live in the
services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.control.models import Symptom
from fangkong.residents.services import MESSAGE_MAX_LENGTH, OTP_DIGITS

CHOOSE_LISTED = _("Choose one of the people listed.")


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=32, widget=forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
               "placeholder": "138 0000 0000"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=OTP_DIGITS, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
               "pattern": r"\d{6}", "maxlength": OTP_DIGITS}))


class ChooseForm(forms.Form):
    person = forms.ChoiceField(label=_("Who is signing in?"), widget=forms.RadioSelect,
                               error_messages={"invalid_choice": CHOOSE_LISTED})

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(p.uuid), p.name) for p in people]


class HealthCheckForm(forms.Form):
    order = forms.ChoiceField(label=_("Control order"), error_messages={
        "invalid_choice": _("Choose one of your orders in force.")})
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"), max_digits=3, decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal",
                                        "placeholder": "36.5"}))
    symptoms = forms.MultipleChoiceField(label=_("Symptoms today"), required=False,
                                         choices=Symptom.choices,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["order"]
        field.choices = [(str(view.order.uuid), view.kind_label) for view in orders]
        if len(orders) == 1:
            field.widget = forms.HiddenInput()
            field.initial = str(orders[0].order.uuid)


class AppealForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=MESSAGE_MAX_LENGTH,
        help_text=_("Say what you think is wrong and why. Your community will answer here."),
        widget=forms.Textarea(attrs={"rows": 5}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=MESSAGE_MAX_LENGTH,
                             help_text=_("The person reads this on their status page."),
                             widget=forms.Textarea(attrs={"rows": 5}))
