"""URLs: the pages at /, the API at /api/, Django admin at /django-admin/."""

from django.contrib import admin
from django.urls import include, path

from ipfund.web.api.views import api

urlpatterns = [
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ipfund.web.portal.urls")),
]
