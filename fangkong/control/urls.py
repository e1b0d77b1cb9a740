from django.urls import path

from fangkong.control import views
from fangkong.control.ledgers import LEDGERS

app_name = "control"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.create, name="create"),
    path("new/preview/", views.preview, name="preview"),
    path("approvals/", views.approvals, name="approvals"),
    *(path(f"ledgers/{slug}/", views.ledger_page, {"slug": slug}, name="ledger")
      for slug in LEDGERS),
    *(path(f"ledgers/{slug}/xlsx/", views.ledger_download, {"slug": slug}, name="ledger_xlsx")
      for slug in LEDGERS),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/<str:action>/", views.act, name="act"),
]
