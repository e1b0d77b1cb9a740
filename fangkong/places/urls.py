from django.urls import path

from fangkong.places import views

app_name = "places"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<uuid:public_id>/", views.overview, name="place"),
]
