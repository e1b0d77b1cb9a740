"""API of venue gates and terminals under `/api/v1/tracing/`: upload many check-ins at once
(a retried upload changes nothing).

The same service as the pages. A role without the permission 403; a malformed upload 422
naming the field; a scan that cannot be taken is refused alone, with its reason.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.api.common import AwareTime
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.tracing import services

router = Router(tags=["tracing"])

# Scans in one upload: 20,000 are about 2 MB of JSON, well under the 5 MB request body
# Django accepts (DATA_UPLOAD_MAX_MEMORY_SIZE). A gate splits a longer day.
MAX_BATCH = 20_000


class ScanIn(Schema):
    venue_code: str
    id_number: str = Field(description="Mainland ID number")
    checked_in_at: AwareTime = Field(description="With its offset from UTC")
    left_at: AwareTime | None = Field(None, description="Default: the assumed stay")


class CheckInBatchIn(Schema):
    scans: list[ScanIn] = Field(json_schema_extra={"maxItems": MAX_BATCH})


class ScanRefusalOut(Schema):
    index: int = Field(description="Position of the scan in the upload, from 0")
    field: str
    code: str = Field(description="venue, unknown, required, naive, future, old, order")
    message: str


class ScanReportOut(Schema):
    accepted: int
    unchanged: int = Field(description="Check-ins already recorded: a retried upload")
    refused: list[ScanRefusalOut]


@router.post("/checkins", response={200: ScanReportOut, **REFUSALS, **INVALID},
             operation_id="tracing_checkins_upload",
             summary=f"A gate's or terminal's check-ins, up to {MAX_BATCH:,} at once: each "
                     "accepted, unchanged (a retry) or refused with its reason")
def checkins_upload(request, payload: CheckInBatchIn):
    user = request.auth
    require(user, Perm.RECORD_CHECKINS)
    if len(payload.scans) > MAX_BATCH:
        raise ValidationError({"scans": _("At most %(n)s check-ins in one upload: split "
                                          "it.") % {"n": MAX_BATCH}})
    return services.check_in_batch(acting_user=user, scans=[
        services.Scan(s.venue_code, s.id_number, s.checked_in_at, s.left_at)
        for s in payload.scans])
