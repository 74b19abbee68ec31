"""The dashboard's panel of promises falling due and recoveries open."""

from django import template

from ipfund.web.promises.selectors import promise_board

register = template.Library()


@register.inclusion_tag("promises/board.html")
def promise_board_panel():
    return {"board": promise_board()}
