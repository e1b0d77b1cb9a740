"""One way for views to fetch an object: 404 alike for missing and for not yours."""

import uuid as uuidlib
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from fangkong.accounts.roles import can


def get_for_user(user, queryset, public_id, *, perm: str | None = None):
    """Fetch by UUID from a scoped queryset (`accessible_to(user)` is applied here)."""
    if perm is not None and not can(user, perm):
        raise Http404
    try:
        key = uuidlib.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    obj = queryset.accessible_to(user).filter(uuid=key).first()
    if obj is None:
        raise Http404
    return obj


def require_perm(perm: str):
    """View decorator: logged-in user whose role holds `perm`, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
