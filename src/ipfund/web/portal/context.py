"""What every page says about the site: the zone's and the bureau's names (site settings) and the
policies in force, each with its title and 文号 from its own package."""

from __future__ import annotations

from django.conf import settings

from ipfund.web.engine_door import known_policies, policies_in_force


def site(request) -> dict:
    def cited():
        # The policies in force today; none in force (all expired): the newest, shown as such.
        policies = policies_in_force() or known_policies()[:1]
        return [{"title": p.title, "document_number": p.document_number} for p in policies]

    return {"site_zone": settings.IPFUND_ZONE_NAME, "site_bureau": settings.IPFUND_BUREAU_NAME, "site_policies": cited}
