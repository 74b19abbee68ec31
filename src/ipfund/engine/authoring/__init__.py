"""Writing a policy package without Python: items as data, scaffolding from a text, the checks,
the golden-case runner and the comparison of two packages."""

from __future__ import annotations

from ..items import AuthoringError, build_item, build_items

__all__ = ["AuthoringError", "build_item", "build_items"]
