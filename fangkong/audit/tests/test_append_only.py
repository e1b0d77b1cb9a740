import pytest

from fangkong.audit.models import AppendOnlyError, AuditEvent


def test_audit_events_cannot_be_changed_or_deleted(cast):
    event = AuditEvent.objects.first()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
