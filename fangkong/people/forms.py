from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.people.models import IdType, Residency, Sex, SpecialTag, WorkerRole


class PersonForm(forms.Form):
    """Fields of a person; checks beyond the field types happen in the service."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices,
                                initial=IdType.MAINLAND)
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("From the ID number")), *Sex.choices],
                            required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Taken from a resident ID number when left empty."))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    household = forms.ChoiceField(label=_("Household"))
    residency = forms.ChoiceField(label=_("Residency"), choices=Residency.choices,
                                  initial=Residency.RESIDENT)
    worker_role = forms.ChoiceField(label=_("Epidemic-worker role"),
                                    choices=[("", _("None")), *WorkerRole.choices],
                                    required=False)
    tags = forms.MultipleChoiceField(label=_("Special population"), choices=SpecialTag.choices,
                                     required=False, widget=forms.CheckboxSelectMultiple,
                                     help_text=_("Aged 80 or over is derived from the birth "
                                                 "date."))
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [("", "—"), *households]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, ID number or phone"), required=False, max_length=60)


class MergeForm(forms.Form):
    duplicate_id_number = forms.CharField(
        label=_("ID number of the duplicate record"), max_length=32,
        help_text=_("The duplicate is kept, marked as merged; everything that pointed at it "
                    "moves to this record."))
    reason = forms.CharField(label=_("Reason"), max_length=200)
