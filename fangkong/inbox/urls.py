from django.urls import path

from fangkong.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<uuid:public_id>/close/", views.close, name="close"),
]
