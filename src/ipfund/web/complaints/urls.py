"""URLs of complaints and rights assistance: public at /complaints/, the bureau's at /staff/complaints/."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/filed/", views.complaint_filed, name="filed"),
    path("complaints/status/", views.complaint_status, name="status"),
    path("staff/complaints/", views.complaint_list, name="list"),
    path("staff/complaints/<int:pk>/", views.complaint_detail, name="detail"),
    path("staff/complaints/<int:pk>/link/", views.complaint_link, name="link"),
    path("staff/complaints/<int:pk>/file/", views.complaint_file, name="file"),
]
