"""Protocol profiles (防控方案): the rules in force, as dated data.

A profile holds the values of one edition of the rules (durations, test spacing, Ct
thresholds, serial interval) and the day it took effect. The profile in force on a day is
the latest one whose `valid_from` is not after it, so a past day is always judged by the
rules of that day. `KEYS` names every value the code reads, so a profile missing one fails
loudly instead of falling back to a number hidden in code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel

KEYS = {
    "discharge_ct_min": _("Minimum Ct (N and ORF1ab) for discharge or release"),
    "discharge_tests_required": _("Consecutive qualifying tests for discharge or release"),
    "discharge_test_spacing_hours": _("Minimum hours between those tests"),
    "serial_interval_mean": _("Serial interval mean (days)"),
    "serial_interval_sd": _("Serial interval standard deviation (days)"),
    "rt_window_days": _("R(t) estimation window (days)"),
    "contact_lookback_days": _("Contact look-back window before onset or sampling (days)"),
    "pcr_cutoff_ct": _("PCR cut-off Ct (positive below)"),
    "code_colours": _("Health-code colour of each kind of control"),
    "risk_levels": _("Risk-area levels in use"),
    "risk_area_lift_days": _("Days without new infection before a high-risk area is lifted"),
    "plans": _("Control plans by basis: phases, days and test days"),
    "pooling": _("Swabs per tube by risk level: a number, 'single' or 'household'"),
    "ct_valid_max": _("Largest Ct value a laboratory may report"),
    "pool_control_days": _("Days of temporary control for a positive pool, pending the retest"),
    "turnaround_target_hours": _("Target hours from sampling to result"),
    "checkin_stay_minutes": _("Minutes a venue check-in is assumed to last without a check-out"),
    "checkin_max_stay_minutes": _("Longest stay one check-in records; a longer one is split"),
    "companion_min_overlap_minutes": _("Minutes two stays at a venue must overlap to make "
                                       "spatio-temporal companions"),
    "exposure_site_min_visitors": _("Visitors overlapping a case's stay that make the venue an "
                                    "exposure site, notified as a group"),
    "investigation_core_hours": _("Hours from a case's report to its core investigation "
                                  "information"),
}


class ProtocolProfile(BaseModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    disease = models.CharField(_("disease"), max_length=40, default="covid-19")
    valid_from = models.DateField(_("in force from"))
    source_doc = models.CharField(_("source document"), max_length=300, blank=True)
    values = models.JSONField(_("values"), default=dict)

    class Meta:
        verbose_name = _("protocol profile")
        verbose_name_plural = _("protocol profiles")
        ordering = ["disease", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["disease", "valid_from"],
                                    name="protocol_one_profile_per_day"),
        ]

    def __str__(self):
        return self.name
