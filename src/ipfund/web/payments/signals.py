"""What payments asks of the apps built on it, which it does not import (they import payments)."""

from ipfund.web.hooks import RequiredSignal

# A payment of a claim is about to be recorded: sent with claim= inside the payment's transaction.
# A receiver returns why the claim may not be paid yet (a Chinese message), or None. Allocation
# (AllocationConfig.ready) answers while a pro-rata cut (按同一比例核减) is still to be made.
payment_recording = RequiredSignal("payment_recording", "allocation")
