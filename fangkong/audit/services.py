"""Writing audit events. Call inside the transaction of the change being recorded."""

from fangkong.audit import context
from fangkong.audit.models import AuditEvent


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return str(value)


def build_event(*, actor, action: str, target=None, scope_place=None, changes=None,
                reason: str = "") -> AuditEvent:
    origin = context.current()
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_uuid=getattr(target, "uuid", None),
        target_label=str(target)[:200] if target is not None else "",
        scope_place=scope_place,
        changes={k: [_jsonable(old), _jsonable(new)] for k, (old, new) in (changes or {}).items()},
        reason=reason,
        ip=origin.ip,
        via=getattr(actor, "auth_via", None) or origin.via,
    )


def audit_record(**kwargs) -> AuditEvent:
    event = build_event(**kwargs)
    event.save()
    return event
