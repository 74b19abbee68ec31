"""The review an alliance claim rests on, on the claim's staff page."""

from django import template

from ipfund.web.alliances.services import ALLIANCE_ITEMS, alliance_review_of

register = template.Library()


@register.inclusion_tag("alliances/claim_panel.html")
def alliance_review_panel(claim):
    return {"alliance_item": claim.item in ALLIANCE_ITEMS, "review": alliance_review_of(claim)}
