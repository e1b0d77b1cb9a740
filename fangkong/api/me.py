"""API: the caller themself (`/api/v1/me`)."""

from ninja import Router, Schema

from fangkong.accounts.roles import Role
from fangkong.api.common import PlaceRef
from fangkong.api.errors import REFUSALS
from fangkong.people.api import PersonOut
from fangkong.people.selectors import people_for_user

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    via: str
    scope: PlaceRef | None
    person: PersonOut | None


@router.get("/me", response={200: MeOut, **REFUSALS}, operation_id="me",
            summary="The caller's role, area and, for a resident, their own record")
def me(request):
    user = request.auth
    person = None
    if user.role == Role.RESIDENT:
        person = people_for_user(user).select_related("household").first()
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role,
        "role_label": str(Role(user.role).label) if user.role else "",
        "via": getattr(user, "auth_via", "session"),
        "scope": user.scope if user.scope_path else None, "person": person,
    }
