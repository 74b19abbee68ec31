"""Payments (拨付) of final awards: each award paid at most once; failures recorded for a retry."""
