"""URLs: the pages (portal, when installed) at /, the API at /api/, Django admin at /django-admin/."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

from ipfund.web.api.views import api

urlpatterns = [
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if find_spec("ipfund.web.portal") and find_spec("ipfund.web.portal.urls"):
    urlpatterns.append(path("", include("ipfund.web.portal.urls")))
