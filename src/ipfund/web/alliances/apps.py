from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    name = "ipfund.web.alliances"
    verbose_name = "专利联盟评审"
