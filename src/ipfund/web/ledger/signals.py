"""What the ledger tells the apps built on it, which it does not import (they import the ledger):
the budgets an award counts against are kept by budgets and allocation, above the ledger. Both
signals are sent inside the award's transaction, after its cap buckets are locked (the lock order
of an approval); the receivers are connected in their apps' AppConfig.ready."""

from ipfund.web.hooks import RequiredSignal

# An award is about to be written: sent with claim=, policy=, amount= and on= (the approval's day).
# A receiver refuses it by raising. Allocation connects its guard: the quota (择优名额), then the
# budgets the award counts against (budgets.services.budget_guard, with the policy's over-allowance).
award_granting = RequiredSignal("award_granting", "allocation")

# An award's `amount` (positive) was taken back, by a revocation or a reduction: sent with policy=,
# round_id=, approved_on= (the grant's day) and amount=. Budgets frees it from its running totals.
award_taken_back = RequiredSignal("award_taken_back", "budgets")
