from django.urls import path

from fangkong.people import views, views_import

app_name = "people"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("new/", views.create, name="create"),
    path("export.csv", views.export, name="export"),
    path("import/", views_import.import_residents, name="import"),
    path("import/template.csv", views_import.import_template, name="import_template"),
    path("me/", views.me, name="me"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/merge/", views.merge, name="merge"),
    path("<uuid:public_id>/reveal/<str:field>/", views.reveal, name="reveal"),
]
