from django.urls import path

from fangkong.protocol import views

app_name = "protocol"
urlpatterns = [
    path("", views.profile_list, name="list"),
    path("<uuid:public_id>/", views.profile_detail, name="detail"),
    path("<uuid:public_id>/new-version/", views.profile_new, name="new_version"),
    path("<uuid:public_id>/edit/", views.profile_edit, name="edit"),
]
