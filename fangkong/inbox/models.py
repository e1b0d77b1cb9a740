"""Work items: the one inbox where events in every app leave work for a place's people.

An item belongs to a place (the community that must act) and may name a person; it is done
when someone closes it. Background jobs are a different thing (django-tasks).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel
from fangkong.core.scoping import ScopedQuerySet


class ItemKind(models.TextChoices):
    MISSED_CHECK = "missed_check", _("Missed health check")
    MISSED_TEST = "missed_test", _("Missed test")
    ARRIVAL = "arrival", _("Arrival to follow up")
    APPEAL = "appeal", _("Appeal of a status")
    APPROVAL = "approval", _("Control order awaiting approval")
    RELEASE_DUE = "release_due", _("Control order due for release")
    RETEST = "retest", _("Door-to-door single retest")
    RISK_AREA = "risk_area", _("Unit to consider for a high-risk area")


class WorkItemQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class WorkItem(BaseModel):
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("place"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="work_items", verbose_name=_("person"))
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due"))
    key = models.CharField(max_length=120, blank=True,
                           help_text="what the item is about, so one event makes one item")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], condition=~models.Q(key=""),
                                    name="work_item_one_per_event"),
        ]

    def __str__(self):
        return self.title
