"""The REST API under /api/v1/ (django-ninja); OpenAPI docs at /api/v1/docs.

Every operation needs a caller: a bearer token (machine clients) or a login session
(CSRF-checked). Routers live with their apps (`places/api.py`, `people/api.py`).
"""

from ninja import NinjaAPI

from fangkong.api import errors
from fangkong.api.auth import AUTH
from fangkong.api.me import router as me_router
from fangkong.arrivals.api import router as arrivals_router
from fangkong.cases.api import router as cases_router
from fangkong.control.api import router as control_router
from fangkong.inbox.api import router as inbox_router
from fangkong.people.api import router as people_router
from fangkong.places.api import router as places_router
from fangkong.protocol.api import router as protocol_router
from fangkong.reports.api import router as reports_router
from fangkong.reports.api_dashboard import router as dashboard_router
from fangkong.residents.api import router as residents_router
from fangkong.testing.api import router as testing_router
from fangkong.tracing.api import router as tracing_router
from fangkong.tracing.api_work import router as tracing_work_router

api = NinjaAPI(
    title="Fangkong API", version="1", urls_namespace="api", auth=AUTH,
    description="Outbreak-response platform. Authenticate with `Authorization: Bearer fk_…` "
                "(tokens are issued at /accounts/tokens/) or a login session with a CSRF token. "
                "Times are ISO 8601 with an offset from UTC, in and out.",
)
errors.install(api)
api.add_router("", me_router)
api.add_router("", places_router)
api.add_router("", people_router)
api.add_router("", cases_router)
api.add_router("", reports_router)
api.add_router("", dashboard_router)
api.add_router("", inbox_router)
api.add_router("", residents_router)
api.add_router("", protocol_router)
api.add_router("", arrivals_router)
api.add_router("", control_router)
api.add_router("/testing", testing_router)
api.add_router("/tracing", tracing_router)
api.add_router("/tracing", tracing_work_router)
