"""Error answers of the API: one JSON shape per kind of refusal.

401 no or bad credentials, 403 a permission the role lacks, 404 missing *or* out of scope,
422 invalid input as {"detail": ..., "errors": {field: [messages]}, "codes": {field: [codes]}}:
the messages are for people (in the caller's language), the codes for programs.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import ValidationError as SchemaValidationError

from fangkong.accounts.roles import can

NON_FIELD = "__all__"
_LOCATIONS = {"body", "query", "path", "payload", "params"}


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]]
    codes: dict[str, list[str]] = {}


REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
INVALID = {422: InvalidOut}


def require(user, *perms: str) -> None:
    """Refuse with 403 unless the user's role holds one of `perms`."""
    if not any(can(user, perm) for perm in perms):
        raise PermissionDenied


def _field_of(location) -> str:
    names = [str(part) for part in location if isinstance(part, str)]
    names = [name for name in names if name not in _LOCATIONS]
    return names[-1] if names else NON_FIELD


def errors_of_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {NON_FIELD: list(exc.messages)}


def codes_of_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [error.code or "invalid" for error in errors]
                for field, errors in exc.error_dict.items()}
    return {NON_FIELD: [error.code or "invalid" for error in exc.error_list]}


def errors_of_schema(exc: SchemaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_of(error.get("loc", ())), []).append(error.get("msg", ""))
    return errors


def invalid(api, request, errors: dict[str, list[str]], codes: dict[str, list[str]] | None = None):
    detail = " ".join(message for messages in errors.values() for message in messages)
    body = {"detail": detail, "errors": errors, "codes": codes or {
        field: ["invalid"] * len(messages) for field, messages in errors.items()}}
    return api.create_response(request, body, status=422)


def forbidden(api, request):
    return api.create_response(request, {"detail": _("You are not allowed to do this.")},
                               status=403)


def install(api) -> None:
    """Register the handlers on the NinjaAPI (the 401 and 404 defaults are kept)."""

    @api.exception_handler(DjangoValidationError)
    def on_django_invalid(request, exc):
        return invalid(api, request, errors_of_django(exc), codes_of_django(exc))

    @api.exception_handler(SchemaValidationError)
    def on_schema_invalid(request, exc):
        return invalid(api, request, errors_of_schema(exc))

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        return forbidden(api, request)

    @api.exception_handler(PermissionError)
    def on_service_denied(request, exc):
        return forbidden(api, request)
