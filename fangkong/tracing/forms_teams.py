"""Forms of the team pages: field types and choices only; who may join a team, which area a
team may cover and which team may take a case are the services' rules
(`fangkong.tracing.services.teams`)."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _person_label(user) -> str:
    return f"{user} ({user.scope.name})" if user.scope_id else str(user)


class MembersField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(label=_("Members"), required=False, error_messages={
            "invalid_choice": _("This person is unknown or outside your area.")}, **kwargs)


class _MembersForm(forms.Form):
    """`candidates`: the users who may be chosen, as the view found them."""

    members = MembersField()

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.uuid): u for u in candidates}
        self.fields["members"].choices = [(key, _person_label(u))
                                          for key, u in self.candidates.items()]

    def chosen_members(self) -> list:
        return [self.candidates[key] for key in self.cleaned_data["members"]]


class TeamCreateForm(_MembersForm):
    name = forms.CharField(label=_("Team name"), max_length=60)
    place = forms.ChoiceField(label=_("Area"), help_text=_(
        "The district or street whose cases the team takes."), error_messages={
        "invalid_choice": _("This area is unknown or outside yours.")})
    field_order = ["name", "place", "members"]

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(p.uuid): p for p in places}
        self.fields["place"].choices = [("", "—"), *((key, p.name)
                                                     for key, p in self.places.items())]

    def chosen_place(self):
        return self.places[self.cleaned_data["place"]]


class TeamUpdateForm(_MembersForm):
    active = forms.BooleanField(label=_("Takes new cases"), required=False)


class AssignForm(forms.Form):
    """`teams`: the teams that may take this investigation (the user's, covering the case's
    home)."""

    team = forms.ChoiceField(label=_("Team"), error_messages={
        "required": _("Choose a team."),
        "invalid_choice": _("This team is unknown, outside your area or does not cover the "
                            "case's home.")})

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(t.uuid): t for t in teams}
        self.fields["team"].choices = [(key, t.name) for key, t in self.teams.items()]

    def chosen_team(self):
        return self.teams[self.cleaned_data["team"]]
