"""URLs of the analysis-review register; the root URLconf includes them at /staff/analysis/."""

from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_new, name="new"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/assign/", views.activity_assign, name="assign"),
    path("<int:pk>/report/", views.activity_report, name="report"),
    path("<int:pk>/conclude/", views.activity_conclude, name="conclude"),
    path("<int:pk>/report/file/", views.report_file, name="report_file"),
]
