from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "ipfund.web.analysis"
    verbose_name = "重大经济科技活动知识产权分析评议"
