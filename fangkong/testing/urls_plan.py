"""The organisers' pages under /testing/ (namespace `testing`). A page about a place takes
the place's uuid as `?place=`; without it, the user's own area."""

from django.urls import path

from fangkong.testing import views_plan as views

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round"),
    path("rounds/<uuid:public_id>/status/", views.round_status, name="round_status"),
    path("rounds/<uuid:public_id>/coverage/", views.coverage, name="coverage"),
    path("rounds/<uuid:public_id>/chase/", views.chase, name="chase"),
    path("rounds/<uuid:public_id>/exemptions/new/", views.exemption_add, name="exempt"),
    path("rounds/<uuid:public_id>/schedule/", views.schedule, name="schedule"),
    path("rounds/<uuid:public_id>/schedule/build/", views.schedule_build,
         name="schedule_build"),
    path("exemptions/<uuid:public_id>/withdraw/", views.exemption_withdraw,
         name="exempt_withdraw"),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<uuid:public_id>/", views.site_detail, name="site"),
    path("sites/<uuid:public_id>/samplers/", views.site_samplers, name="site_samplers"),
]
