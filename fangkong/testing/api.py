"""API of mass testing under `/api/v1/testing/`: rounds, sites, schedules and coverage
(`api_plan`), the sampler's tubes and the terminals' batch path (`api_sampler`), and the
laboratories' receipts and results, as JSON or HL7 v2 (`api_lab`)."""

from ninja import Router

from fangkong.testing.api_lab import router as lab_router
from fangkong.testing.api_plan import router as plan_router
from fangkong.testing.api_sampler import router as sampler_router

router = Router(tags=["testing"])
router.add_router("", plan_router)
router.add_router("", sampler_router)
router.add_router("", lab_router)
