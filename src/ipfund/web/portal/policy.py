"""Which items an applicant kind may claim (the pages' view of the policy the platform runs)."""

from ipfund.web.engine_door import current_policy

__all__ = ["current_policy", "current_policy_id", "item_kinds", "items_open_to"]


def current_policy_id() -> str:
    return current_policy().id


def item_kinds(item) -> set[str]:
    """Every applicant kind that may claim the item at some value of its facts."""
    kinds = set(item.kinds)
    kinds_by = getattr(item, "kinds_by", None)
    if kinds_by:
        for allowed in kinds_by[1].values():
            kinds.update(allowed)
    return kinds


def items_open_to(kind: str) -> list:
    """The items an applicant of this kind may claim, in the policy's order."""
    return [item for item in current_policy().items.values() if kind in item_kinds(item)]
