"""URLs of the alliance review: the secretariat's at /alliances/, the bureau's at /staff/alliances/."""

from django.urls import path

from . import views

app_name = "alliances"

urlpatterns = [
    path("alliances/", views.my_applications, name="mine"),
    path("alliances/<int:pk>/", views.own_application, name="own"),
    path("alliances/<int:pk>/charter/", views.charter_file, name="charter"),
    path("alliances/<int:pk>/decision/", views.decision_file, name="decision_file"),
    path("staff/alliances/", views.staff_list, name="list"),
    path("staff/alliances/<int:pk>/", views.staff_detail, name="detail"),
    path("staff/alliances/<int:pk>/panel/", views.panel_form, name="panel"),
    path("staff/alliances/<int:pk>/declare/", views.declare, name="declare"),
    path("staff/alliances/<int:pk>/score/", views.score, name="score"),
    path("staff/alliances/<int:pk>/decide/", views.decide, name="decide"),
]
