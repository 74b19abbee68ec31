"""`{% proposal_source claim %}`: on a claim's staff page, the register row a 免申即享 claim came from."""

from django import template

from ..display import row_fields
from ..selectors import proposal_of

register = template.Library()


@register.inclusion_tag("registers/source.html")
def proposal_source(claim):
    proposal = proposal_of(claim)
    return {"proposal": proposal, "fields": row_fields(proposal.row) if proposal else []}
