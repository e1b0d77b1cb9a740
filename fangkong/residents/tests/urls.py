"""The site's URLs with the residents' API mounted, for tests that run before (or after) the
router joins the main API: routers are templates in django-ninja, so mounting it twice is
harmless."""

from django.urls import path
from ninja import NinjaAPI

from fangkong import urls as site
from fangkong.api import errors
from fangkong.api.auth import AUTH
from fangkong.residents.api import router

api = NinjaAPI(title="Fangkong residents API (tests)", version="1-residents-test",
               urls_namespace="api_residents", auth=AUTH)
errors.install(api)
api.add_router("", router)

urlpatterns = [path("api/v1/", api.urls), *site.urlpatterns]
