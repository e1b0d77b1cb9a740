"""Pages for running tracing (namespace `tracing`, spliced in by `fangkong.tracing.urls`):
teams, assignment, the tracing dashboard, clusters and their chains. A cluster's key is the
number of its first case."""

from django.urls import path

from fangkong.tracing import views_teams as views

urlpatterns = [
    path("teams/", views.teams, name="teams"),
    path("teams/<uuid:public_id>/", views.team, name="team"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("unassigned/round-robin/", views.assign_round_robin, name="assign_round_robin"),
    path("investigations/<uuid:public_id>/assign/", views.assign, name="assign"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("clusters/", views.clusters, name="clusters"),
    # a case number is free text on import: it may hold a slash
    path("clusters/<path:key>/", views.cluster, name="cluster"),
]
