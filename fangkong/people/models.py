"""Persons: residents, floating population, visitors, epidemic workers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel
from fangkong.core.scoping import ScopedQuerySet


class IdType(models.TextChoices):
    MAINLAND = "mainland", _("Resident ID card")
    HK_MACAO = "hk_macao", _("Hong Kong/Macao permit")
    TAIWAN = "taiwan", _("Taiwan permit")
    PASSPORT = "passport", _("Passport")
    FOREIGN_PR = "foreign_pr", _("Foreign permanent residence card")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Residency(models.TextChoices):
    RESIDENT = "resident", _("Registered resident")
    FLOATING = "floating", _("Floating population")
    VISITOR = "visitor", _("Visitor")


class SpecialTag(models.TextChoices):
    """Special-population tags that are recorded. Over-80 is derived from the birth date."""

    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    PREGNANT = "pregnant", _("Pregnant")
    DISABLED = "disabled", _("Disabled")
    DIALYSIS = "dialysis", _("Dialysis")
    CHRONIC = "chronic", _("Chronic disease")
    BEDRIDDEN = "bedridden", _("Bedridden")
    INFANT = "infant", _("Infant")


OVER_80_AGE = 80


class WorkerRole(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    SAMPLER = "sampler", _("Sampler")
    TRACER = "tracer", _("Tracer")
    VOLUNTEER = "volunteer", _("Volunteer")
    MEDICAL = "medical", _("Medical staff")
    POLICE = "police", _("Police")
    BUILDING_LEADER = "building_leader", _("Building leader")
    OTHER = "other", _("Other epidemic worker")


class PersonQuerySet(ScopedQuerySet):
    """People the acting user may see: their subtree, or only themself for a resident."""

    place_path = "household__path"
    person_field = "pk"

    def active(self):
        return self.filter(merged_into__isnull=True)


class Person(BaseModel):
    name = models.CharField(_("Name"), max_length=60)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices,
                               default=IdType.MAINLAND)
    id_number = models.CharField(_("ID number"), max_length=32)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="people",
                                  verbose_name=_("household"))
    residency = models.CharField(_("residency"), max_length=16, choices=Residency.choices,
                                 default=Residency.RESIDENT)
    worker_role = models.CharField(_("epidemic-worker role"), max_length=24,
                                   choices=WorkerRole.choices, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from", verbose_name=_("merged into"))

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="person_id_unique"),
        ]
        indexes = [
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
        ]

    def __str__(self):
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("special population"), max_length=16, choices=SpecialTag.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "tag"], name="person_tag_unique"),
        ]
        indexes = [models.Index(fields=["tag"], name="person_tag_tag")]

    def __str__(self):
        return self.tag
