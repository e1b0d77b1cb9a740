"""The arrivals router on an API set up like fangkong/api/main.py (same default credentials
and error answers), so its tests do not depend on where the lead mounts it."""

from django.urls import path
from ninja import NinjaAPI

from fangkong.api import errors
from fangkong.api.auth import AUTH
from fangkong.arrivals.api import router

api = NinjaAPI(urls_namespace="arrivals_test_api", auth=AUTH)
errors.install(api)
api.add_router("", router, url_name_prefix="arrivals_test")
urlpatterns = [path("api/v1/", api.urls)]
