"""Investigation, contact and exposure-site pages, spliced into the `tracing` namespace."""

from django.urls import path

from fangkong.tracing import views_investigations as views

urlpatterns = [
    path("investigations/", views.investigations, name="investigations"),
    path("investigations/<uuid:public_id>/", views.investigation, name="investigation"),
    path("investigations/<uuid:public_id>/advance/", views.investigation_advance,
         name="investigation_advance"),
    path("investigations/<uuid:public_id>/propose/", views.investigation_propose,
         name="investigation_propose"),
    path("investigations/<uuid:public_id>/stays/new/", views.stay_add, name="stay_add"),
    path("investigations/<uuid:public_id>/stays/remove/", views.stay_remove,
         name="stay_remove"),
    path("investigations/<uuid:public_id>/contacts/new/", views.contact_add,
         name="contact_add"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<uuid:public_id>/confirm/", views.contact_confirm, name="contact_confirm"),
    path("contacts/<uuid:public_id>/dismiss/", views.contact_dismiss, name="contact_dismiss"),
    path("exposure-sites/", views.exposure_sites, name="exposure_sites"),
    path("exposure-sites/<uuid:public_id>/notify/", views.exposure_site_notify,
         name="exposure_site_notify"),
]
