from django.urls import path

from fangkong.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.report, name="report"),
    path("facilities/", views.facilities, name="facilities"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/<str:action>/", views.act, name="act"),
]
