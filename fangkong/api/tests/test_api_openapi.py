"""The API documents itself at /api/v1/openapi.json and /api/v1/docs."""

PATHS = ["/api/v1/me", "/api/v1/places", "/api/v1/places/{public_id}", "/api/v1/venues",
         "/api/v1/people", "/api/v1/people/{public_id}", "/api/v1/people/{public_id}/reveal",
         "/api/v1/people/{public_id}/history"]


def test_openapi_schema_lists_every_path(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(PATHS) <= set(schema["paths"])
    assert schema["paths"]["/api/v1/people"]["post"]["operationId"] == "people_create"
    assert {"BearerToken", "Session"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_is_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200
