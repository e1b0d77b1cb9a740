"""Writes to mass testing: one function per change, each checked and audited.

`rounds` (rounds, sites, the schedule, exemptions), `sampling` (tubes and samples, the
terminal batch path, visitors), `lab` (receiving, results and their follow-up, retests).
"""

from fangkong.testing.services.lab import (  # noqa: F401
    ReceiveReport,
    ResultsRefused,
    ResultsReport,
    lab_create,
    results_record,
    retest_sample,
    tubes_receive,
)
from fangkong.testing.services.rounds import (  # noqa: F401
    ScheduleReport,
    exemption_record,
    exemption_remove,
    pooling,
    round_create,
    round_place_of,
    round_set_status,
    schedule_build,
    site_assign,
    site_create,
)
from fangkong.testing.services.sampling import (  # noqa: F401
    Binding,
    BindReport,
    bind_batch,
    sample_add,
    tube_close,
    tube_open,
    visitor_register,
)
