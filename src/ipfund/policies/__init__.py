"""Policies the engine knows, each a package of source text, data (policy.yaml) and rules."""

from __future__ import annotations

#: policy id → the package holding it
REGISTRY = {
    "zhaoqing-hitech-ip-2022": "ipfund.policies.zhaoqing_hitech_ip_2022",
}
