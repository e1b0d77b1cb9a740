from django.urls import path

from fangkong.arrivals import views

app_name = "arrivals"
urlpatterns = [
    path("", views.arrival_form, name="form"),
    path("done/<uuid:public_id>/", views.done, name="done"),
    path("options/cities/", views.options_cities, name="options_cities"),
    path("options/counties/", views.options_counties, name="options_counties"),
    path("options/places/", views.options_places, name="options_places"),
    path("risk-regions/", views.risk_regions, name="risk_regions"),
    path("risk-regions/<uuid:public_id>/end/", views.risk_region_end, name="risk_region_end"),
]
