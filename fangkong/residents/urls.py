from django.urls import path

from fangkong.residents import views

app_name = "residents"
urlpatterns = [
    path("", views.status, name="status"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/choose/", views.sign_in_choose, name="sign_in_choose"),
    path("checks/", views.check, name="check"),
    path("orders/<uuid:public_id>/appeal/", views.appeal, name="appeal"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/answer/<uuid:public_id>/", views.appeal_answer, name="appeal_answer"),
]
