"""Writes of contact tracing: one function per change, each checked and audited.

`checkins` (venue check-ins from phones and gates), `investigations` (status, trajectory),
`contacts` (proposals, confirmation and control, transmission links, exposure sites),
`teams` (teams and assignment).
"""

from fangkong.tracing.services.checkins import (  # noqa: F401
    Scan,
    ScanReport,
    check_in_batch,
    check_in_by_id,
    check_in_self,
    find_by_id_and_phone,
)
from fangkong.tracing.services.contacts import (  # noqa: F401
    case_reported,
    contact_confirm,
    contact_dismiss,
    contact_record,
    exposure_site_notify,
)
from fangkong.tracing.services.investigations import (  # noqa: F401
    investigation_advance,
    investigation_open,
    investigation_propose,
    stay_add,
    stay_remove,
)
from fangkong.tracing.services.teams import (  # noqa: F401
    investigation_assign,
    investigations_assign_round_robin,
    team_create,
    team_update,
)
