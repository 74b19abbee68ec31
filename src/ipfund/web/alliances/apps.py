from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    name = "ipfund.web.alliances"
    verbose_name = "专利联盟评审"

    def ready(self):
        from ipfund.web.claims.signals import claim_submitting

        from .services import alliance_claim_submitting

        claim_submitting.connect(alliance_claim_submitting, dispatch_uid="alliances-claim-gate")
