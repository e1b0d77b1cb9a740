from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from fangkong.accounts.roles import Perm
from fangkong.core.access import get_for_user, require_perm
from fangkong.places.models import Place
from fangkong.places.selectors import breadcrumbs, children_with_counts, place_totals


@login_required
@require_perm(Perm.VIEW_PLACES)
def overview(request, public_id=None):
    """辖区概览: a place in the user's area, its totals and each child's counts."""
    if public_id is None:
        if request.user.scope_path is None:
            raise Http404
        place = request.user.scope
    else:
        place = get_for_user(request.user, Place.objects, public_id)
    today = timezone.localdate()
    return render(request, "places/overview.html", {
        "place": place,
        "crumbs": breadcrumbs(request.user, place),
        "totals": place_totals(place, today=today),
        "children": children_with_counts(place, today=today),
    })
