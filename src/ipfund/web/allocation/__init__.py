"""Allocation after a round closes (资金分配): the pro-rata cut over budget (按同一比例核减) and
quotas filled from a ranking (择优), as a policy package declares them."""
