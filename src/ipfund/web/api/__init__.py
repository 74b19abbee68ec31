"""The REST API (django-ninja): items, evaluate, and token-authenticated claims for applicants."""
