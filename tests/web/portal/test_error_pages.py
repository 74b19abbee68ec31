"""Chinese 400/403/404/500 and CSRF-failure pages, rendered by Django's handlers with DEBUG=False."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ENGLISH = ("Not Found", "Forbidden", "Server Error", "CSRF verification failed", "Bad Request", "The requested resource")


def assert_chinese(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html and '<html lang="zh-hans">' in html
    for text in ENGLISH:
        assert text not in html


def test_404_is_chinese(settings):
    settings.DEBUG = False
    assert_chinese(Client().get("/no/such/page/"), 404, "页面不存在（404）")
    assert_chinese(Client().get("/notices/999999/"), 404, "页面不存在（404）")


def test_403_is_chinese(settings, applicant):
    settings.DEBUG = False
    client = Client()
    client.force_login(applicant("enterprise"))
    response = client.get(reverse("portal:review_queue"))
    assert_chinese(response, 403, "无权访问（403）")
    assert "请联系系统管理员" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.web.portal.boom_urls", DEBUG=False)
def test_500_is_chinese():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert_chinese(response, 500, "系统暂时出错（500）")
    assert "a bug" not in response.content.decode()


def test_csrf_failure_is_chinese(settings, applicant):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:login"), {"username": "x", "password": "y"})
    assert_chinese(response, 403, "页面已过期，请重新提交（403）")
