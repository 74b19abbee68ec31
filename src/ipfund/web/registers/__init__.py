"""Registers the bureau imports (一企一档, award lists, lists keyed by credit code) and 免申即享:
matching them against every policy in force into claims waiting for the enterprise (待确认)."""
