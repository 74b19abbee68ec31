"""The ipfund web platform: a Django project of small domain apps (see docs/platform-plan.md)."""
