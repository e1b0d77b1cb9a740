from fangkong.accounts.roles import ROLE_PERMISSIONS


def role(request):
    user = getattr(request, "user", None)
    perms = ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
    return {"perms_fk": perms}
