"""API: the daily bulletin (`/api/v1/bulletin`), exactly `reports.bulletin.bulletin()`.

The schema documents the stable keys; sections that later issues add to the bulletin pass
through unchanged (`extra="allow"`), so the answer stays the whole bulletin.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from fangkong.accounts.roles import Perm
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.cases.selectors import outbreak_on
from fangkong.reports.bulletin import bulletin
from fangkong.reports.dashboard import default_day

router = Router(tags=["reports"])


class NewByDistrict(Schema):
    confirmed: int
    reclassified: int
    asymptomatic: int
    in_control: int
    community: int


class NewFigures(Schema):
    confirmed: int = Field(description="New confirmed cases, reclassified ones included")
    reclassified: int = Field(description="Of which reclassified from asymptomatic")
    asymptomatic: int
    in_control: int = Field(description="New infections found under control")
    community: int = Field(description="New infections found in the community")
    discharged: int
    released: int
    deaths: int
    by_district: dict[str, NewByDistrict] = Field(description="Keyed by district name")


class CumulativeByDistrict(Schema):
    confirmed: int
    asymptomatic: int
    discharged: int
    released: int
    in_hospital: int
    under_observation: int
    deaths: int


class CumulativeFigures(Schema):
    confirmed: int
    asymptomatic: int
    by_district: dict[str, CumulativeByDistrict] = Field(description="Keyed by district name")


class BulletinOut(Schema):
    model_config = ConfigDict(extra="allow")

    as_of: datetime.date = Field(description="Figures as of 24:00 (Asia/Shanghai) on this day")
    outbreak: str = Field(description="Outbreak code")
    outbreak_name: str
    outbreak_start: datetime.date
    scope: str = Field(description="Name of the caller's area the figures cover")
    new: NewFigures
    cumulative: CumulativeFigures
    discharged: int
    released: int
    in_hospital: int = Field(description="Confirmed cases still in hospital")
    under_observation: int = Field(description="Asymptomatic infections still under observation")
    deaths: int
    contacts_traced: int = Field(description="People confirmed by 24:00 as close or secondary "
                                             "contacts of the outbreak's cases (a contact "
                                             "of two cases counts once)")
    new_contacts_traced: int = Field(description="Of which first confirmed on the day")
    secondary_contacts_traced: int = Field(description="Of which secondary contacts")
    contacts_under_control: int = Field(description="Held at 24:00 by their control order or "
                                                    "the phase that followed it")
    contacts_released: int = Field(description="Whose control had ended by 24:00 (not by "
                                               "becoming a case)")
    contacts_became_cases: int = Field(description="Reported as cases by 24:00")


@router.get("/bulletin", response={200: BulletinOut, **REFUSALS, **INVALID},
            operation_id="bulletin",
            summary="The daily bulletin as of 24:00 on `date`, scoped to the caller")
def bulletin_get(request, date: datetime.date | None = None, outbreak: str = ""):
    """`date` defaults to yesterday, the last day whose 24:00 has passed, as on the page;
    `outbreak` (a code) to the latest outbreak begun by that day."""
    user = request.auth
    require(user, Perm.VIEW_BULLETIN)
    day = date or default_day()
    if day > timezone.localdate():
        raise ValidationError({"date": _("This day lies in the future.")}, code="future")
    chosen = outbreak_on(day, outbreak)
    if chosen is None:
        raise HttpError(404, _("No outbreak has this code.") if outbreak
                        else _("No outbreak had begun by this day."))
    if chosen.start_date > day:
        raise ValidationError({"outbreak": _(
            "This outbreak began on %(start)s, after the chosen day.")
            % {"start": chosen.start_date.isoformat()}}, code="later")
    return bulletin(user, day, chosen)
