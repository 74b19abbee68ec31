from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "ipfund.web.complaints"
    verbose_name = "知识产权举报投诉与维权援助"
