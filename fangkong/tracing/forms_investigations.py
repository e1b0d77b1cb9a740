"""Forms of the investigation and contact pages: field types and input hints only. The rules
(what a stay needs, when a secondary contact may be traced, who may be confirmed) live in the
services, whose refusals the views put next to the input they concern.

Times are typed into `datetime-local` inputs, which post "2022-11-12T10:00" in the local
time of the page (Asia/Shanghai).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.tracing.models import Category, ContactStatus, Setting, Status

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
ID_ATTRS = {"inputmode": "text", "autocomplete": "off", "autocapitalize": "characters",
            "autocorrect": "off", "spellcheck": "false"}


def _when(label):
    return forms.DateTimeField(
        label=label, input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        error_messages={"required": _("Enter the date and time."),
                        "invalid": _("Enter a date and time such as 2022-11-12 10:00.")})


class InvestigationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("open", pgettext_lazy("investigations", "Open")), ("overdue", _("Overdue")),
        *Status.choices, ("all", _("All"))])


class AdvanceForm(forms.Form):
    """The next step of the investigation, with what was found so far."""

    status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    summary = forms.CharField(label=_("Summary (optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class StayForm(forms.Form):
    """A stay told in the interview: at a venue (its code from the poster) or described."""

    prefix = "stay"

    venue_code = forms.CharField(label=_("Venue code"), required=False, max_length=16,
                                 widget=forms.TextInput(attrs=ID_ATTRS))
    note = forms.CharField(label=_("Or where, in words"), required=False, max_length=200,
                           help_text=_("A home, a car, a street: anything without a venue "
                                       "code."))
    started_at = _when(_("From"))
    ended_at = _when(_("To"))


class StayRemoveForm(forms.Form):
    stay = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why remove it"), required=False, max_length=200)


class ConfirmForm(forms.Form):
    """Confirm a proposed contact, as proposed or as another category or setting."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    reason = forms.CharField(label=_("Why another category (if changed)"), required=False,
                             max_length=500)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why is this not a contact"), required=False,
                             max_length=500)


class ContactForm(forms.Form):
    """A contact found in the interview, named by their resident ID number."""

    id_number = forms.CharField(label=_("ID number"), max_length=32,
                                widget=forms.TextInput(attrs=ID_ATTRS),
                                error_messages={"required": _("Enter the ID number.")})
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices,
                                 initial=Category.CLOSE)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    last_exposure_at = _when(_("Last exposure"))
    via = forms.ChoiceField(label=_("Through close contact (secondary contacts only)"),
                            required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, close_contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["via"].choices = [("", "—"), *((str(c.uuid), c.person.name)
                                                   for c in close_contacts)]


class ContactFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *ContactStatus.choices])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Any")), *Category.choices])
    uncontrolled = forms.BooleanField(label=_("Not yet under control"), required=False)
