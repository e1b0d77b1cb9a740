from django.urls import path

from fangkong.testing import views_lab

urlpatterns = [
    path("", views_lab.lab_home, name="lab"),
    path("receive/", views_lab.lab_receive, name="lab_receive"),
    path("results/", views_lab.lab_upload, name="lab_upload"),
    path("results/template.csv", views_lab.results_template, name="lab_template"),
    path("turnaround/", views_lab.turnaround, name="turnaround"),
]
