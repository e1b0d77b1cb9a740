from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from fangkong.accounts.roles import Perm, Role, can
from fangkong.places.selectors import place_totals


@login_required
def home(request):
    user = request.user
    context = {"role": user.role}
    if user.role == Role.RESIDENT:
        return redirect("residents:status")
    if can(user, Perm.VIEW_PLACES) and user.scope_path:
        context["totals"] = place_totals(user.scope, today=timezone.localdate())
    return render(request, "core/home.html", context)
