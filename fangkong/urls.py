from django.contrib import admin
from django.urls import include, path

from fangkong.api.main import api

urlpatterns = [
    path("", include("fangkong.core.urls")),
    path("places/", include("fangkong.places.urls")),
    path("people/", include("fangkong.people.urls")),
    path("cases/", include("fangkong.cases.urls")),
    path("reports/", include("fangkong.reports.urls")),
    path("protocol/", include("fangkong.protocol.urls")),
    path("control/", include("fangkong.control.urls")),
    path("testing/", include("fangkong.testing.urls")),
    path("tracing/", include("fangkong.tracing.urls")),
    path("inbox/", include("fangkong.inbox.urls")),
    path("arrivals/", include("fangkong.arrivals.urls")),
    path("me/", include("fangkong.residents.urls")),
    path("accounts/", include("fangkong.accounts.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
