from fangkong.audit.models import AuditEvent


def history_of(target, *, limit: int = 200) -> list[AuditEvent]:
    """The audit trail of one object. The caller has already checked access to the target."""
    return list(AuditEvent.objects.filter(target_uuid=target.uuid).select_related("actor")[:limit])
