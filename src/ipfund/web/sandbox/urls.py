"""URLs of the policy sandbox (政策沙盘), included by the root URLconf under the namespace sandbox."""

from django.urls import path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("staff/sandbox/", views.scenarios, name="scenarios"),
    path("staff/sandbox/new/", views.scenario_new, name="scenario_new"),
    path("staff/sandbox/<int:pk>/", views.scenario, name="scenario"),
    path("staff/sandbox/<int:pk>/run/", views.run_start, name="run_start"),
    path("staff/sandbox/runs/<int:pk>/", views.run, name="run"),
    path("staff/sandbox/compare/", views.compare, name="compare"),
]
