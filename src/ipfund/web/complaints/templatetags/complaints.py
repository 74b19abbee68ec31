"""The assistance cases behind a litigation claim, on the claim's staff page."""

from django import template

from ipfund.web.complaints.selectors import assistance_for_claim

register = template.Library()


@register.inclusion_tag("complaints/claim_panel.html")
def assistance_panel(claim):
    return {"cases": list(assistance_for_claim(claim))}
