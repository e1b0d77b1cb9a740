"""Forms of the account pages: issuing and revoking API tokens."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.accounts.selectors import accounts_in_scope, token_scopes
from fangkong.places.models import Place


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, place):
        return f"{'· ' * (place.depth - 1)}{place.name} ({place.get_level_display()})"


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("Who uses the token, e.g. the laboratory and its system."))
    account = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none(),
                                     required=False)
    new_username = forms.CharField(
        label=_("Or a new service account"), max_length=150, required=False,
        validators=[UnicodeUsernameValidator()],
        help_text=_("A user name for an account without a password, used only by this token."))
    role = forms.ChoiceField(label=_("Role"),
                             choices=[c for c in Role.choices if c[0] != Role.RESIDENT])
    scope = PlaceChoiceField(label=_("Area"), queryset=Place.objects.none())

    def __init__(self, *args, issuer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_in_scope(issuer)
        self.fields["scope"].queryset = token_scopes(issuer)

    def clean_new_username(self):
        username = self.cleaned_data["new_username"].strip()
        if username and User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This user name is already taken."))
        return username

    def clean(self):
        data = super().clean()
        if bool(data.get("account")) == bool(data.get("new_username")):
            raise forms.ValidationError(
                _("Choose an existing account or enter a user name for a new one, not both."))
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
