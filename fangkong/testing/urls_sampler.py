"""The sampler's pages under /testing/sampler/ (namespace `testing`)."""

from django.urls import path

from fangkong.testing import views_sampler as views

urlpatterns = [
    path("", views.home, name="sampler"),
    path("choose/", views.choose, name="sampler_choose"),
    path("tubes/", views.tube_open, name="sampler_open"),
    path("tubes/<uuid:public_id>/add/", views.sample_add, name="sampler_add"),
    path("tubes/<uuid:public_id>/visitor/", views.visitor_add, name="sampler_visitor"),
    path("tubes/<uuid:public_id>/pick/", views.sample_pick, name="sampler_pick"),
    path("tubes/<uuid:public_id>/close/", views.tube_close, name="sampler_close"),
    path("tubes/<uuid:public_id>/continue/", views.tube_continue, name="sampler_continue"),
    path("retests/", views.retests, name="retests"),
    path("retests/<uuid:public_id>/", views.retest_sample, name="retest_sample"),
]
