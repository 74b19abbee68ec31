"""Budgets (资金预算): the money a policy may commit in a year, or in one application round."""
