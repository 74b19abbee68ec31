"""URLs: the pages at /, the API at /api/, Django admin at /django-admin/ (never in production)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from captcha.views import captcha_image

from ipfund.web.api.views import api

urlpatterns = [
    path("api/", api.urls),
    *([path("django-admin/", admin.site.urls)] if settings.IPFUND_DJANGO_ADMIN else []),
    path("i18n/", include("django.conf.urls.i18n")),
    # The sign-in captcha's image (django-simple-captcha; its audio and refresh views are not served).
    re_path(r"^captcha/image/(?P<key>\w+)/$", captcha_image, {"scale": 1}, name="captcha-image"),
    path("", include("ipfund.web.registers.urls")),
    path("", include("ipfund.web.sandbox.urls")),
    path("analysis/", include("ipfund.web.analysis.urls")),
    path("", include("ipfund.web.complaints.urls")),
    path("", include("ipfund.web.promises.urls")),
    path("", include("ipfund.web.alliances.urls")),
    path("", include("ipfund.web.portal.urls")),
]
