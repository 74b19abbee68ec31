"""URLs of the registers and 免申即享 (included by the root URLconf under the namespace registers)."""

from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("staff/registers/", views.registers, name="registers"),
    path("staff/registers/<int:pk>/version/", views.register_version, name="register_version"),
    path("staff/registers/uploads/<int:pk>/", views.mapping, name="mapping"),
    path("staff/registers/versions/<int:pk>/", views.version, name="version"),
    path("staff/registers/waiting/", views.waiting, name="waiting"),
    path("staff/registers/rows/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("staff/registers/runs/<int:pk>/", views.run, name="run"),
    path("me/direct/", views.direct, name="direct"),
    path("me/direct/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("me/direct/<int:pk>/decline/", views.decline, name="decline"),
    path("me/radar/", views.radar, name="radar"),
]
