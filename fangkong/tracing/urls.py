from django.urls import path

from fangkong.tracing import urls_investigations, urls_teams, views

app_name = "tracing"
urlpatterns = [
    path("c/<str:code>/", views.checkin, name="checkin"),
    path("c/<str:code>/done/", views.checkin_done, name="checkin_done"),
    path("venues/", views.venues, name="venues"),
    path("venues/<str:code>/poster/", views.poster_page, name="poster_page"),
    path("venues/<str:code>/poster.<str:fmt>", views.poster_file, name="poster"),
    *urls_investigations.urlpatterns,
    *urls_teams.urlpatterns,
]
