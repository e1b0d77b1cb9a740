"""What the tracing services share: refusals, rights, the timeline and the audit."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.accounts.roles import can
from fangkong.audit.services import audit_record
from fangkong.tracing.models import Investigation, InvestigationEvent


def field_error(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def require(acting_user, perm: str) -> None:
    if acting_user is not None and not can(acting_user, perm):
        raise PermissionError(perm)


def user_or_none(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def check_investigation(acting_user, investigation: Investigation) -> None:
    """The investigation is the user's to see (a tracer: one of their teams')."""
    if acting_user is not None and not Investigation.objects.accessible_to(acting_user).filter(
            pk=investigation.pk).exists():
        raise PermissionError("investigation outside scope")


def new_event(investigation: Investigation, kind: str, acting_user, *, detail=None,
              reason: str = "") -> InvestigationEvent:
    """A timeline event, unsaved (several are written at once)."""
    return InvestigationEvent(investigation=investigation, kind=kind, at=timezone.now(),
                              actor=user_or_none(acting_user), detail=detail or {},
                              reason=reason)


def event(investigation: Investigation, kind: str, acting_user, *, detail=None,
          reason: str = "") -> None:
    new_event(investigation, kind, acting_user, detail=detail, reason=reason).save()


def audit(acting_user, action: str, target, place, *, changes=None, reason: str = "") -> None:
    audit_record(actor=acting_user, action=action, target=target, scope_place=place,
                 changes=changes, reason=reason)
