"""The REST API under /api/v1/ (django-ninja); OpenAPI docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="Fangkong API", version="1", urls_namespace="api")
