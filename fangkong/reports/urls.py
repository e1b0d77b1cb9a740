from django.urls import path

from fangkong.reports import views, views_dashboard

app_name = "reports"
urlpatterns = [
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/download.<str:fmt>", views.bulletin_download, name="bulletin_download"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/data.json", views_dashboard.dashboard_data, name="dashboard_data"),
]
