"""Account pages: API tokens for laboratories, hospitals and terminals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts import services
from fangkong.accounts.forms import RevokeForm, TokenForm
from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import tokens_in_scope
from fangkong.core.access import require_perm


def _account(issuer, data):
    """The chosen account, or a new password-less service account for the token."""
    if data["account"]:
        return data["account"]
    return services.user_create(acting_user=issuer, username=data["new_username"],
                                password=None, role=data["role"], scope=data["scope"],
                                display_name=data["name"])


@transaction.atomic
def _issue(issuer, data):
    return services.token_create(acting_user=issuer, user=_account(issuer, data),
                                 name=data["name"], role=data["role"], scope=data["scope"])


def _page(request, form, created=None, secret=None):
    context = {"form": form, "tokens": tokens_in_scope(request.user), "created": created,
               "secret": secret, "revoke_form": RevokeForm()}
    response = render(request, "accounts/tokens.html", context)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_perm(Perm.MANAGE_TOKENS)
def tokens(request):
    form = TokenForm(request.POST or None, issuer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = _issue(request.user, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Rendered, not redirected: the secret must never be stored, not even in a session.
            return _page(request, TokenForm(issuer=request.user), token, secret)
    return _page(request, form)


@login_required
@require_perm(Perm.MANAGE_TOKENS)
@require_POST
def token_revoke(request, public_id):
    token = get_object_or_404(tokens_in_scope(request.user), uuid=public_id)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.token_revoke(acting_user=request.user, token=token, reason=reason)
    messages.success(request, _("The token %(name)s has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
