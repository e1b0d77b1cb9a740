"""What the sign-in keeps in the session between its steps, and the log-in itself.

The number a code was asked for (to check the code against), then the number the code proved
(for a family's choice of who signs in, for ten minutes); both go once someone is logged in.
"""

from django.contrib.auth import login
from django.utils import timezone

ASKED = "residents.asked_phone"
VERIFIED = "residents.verified_phone"
VERIFIED_AT = "residents.verified_at"
VERIFIED_FOR = 600  # seconds to choose who signs in after the code was checked
BACKEND = "django.contrib.auth.backends.ModelBackend"


def remember_asked(request, phone: str) -> None:
    request.session[ASKED] = phone


def asked_phone(request) -> str:
    return request.session.get(ASKED, "")


def remember_verified(request, phone: str) -> None:
    request.session[VERIFIED] = phone
    request.session[VERIFIED_AT] = timezone.now().timestamp()
    request.session.pop(ASKED, None)


def verified_phone(request) -> str:
    phone = request.session.get(VERIFIED, "")
    at = request.session.get(VERIFIED_AT) or 0
    if not phone or timezone.now().timestamp() - at > VERIFIED_FOR:
        return ""
    return phone


def log_in(request, user) -> None:
    user.backend = BACKEND
    login(request, user)
    for key in (ASKED, VERIFIED, VERIFIED_AT):
        request.session.pop(key, None)
