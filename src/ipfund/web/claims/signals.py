"""What claims tells the apps built on it, which it does not import (they import claims)."""

from ipfund.web.hooks import RequiredSignal

# A claim is about to be submitted (its evidence complete, its round open): sent with claim= inside
# claim_submit's transaction, before the estimate. A receiver that refuses the claim raises
# ValidationError. Alliances (AlliancesConfig.ready) connects its gate: an alliance item needs a
# passed review of the applicant (二（四）).
claim_submitting = RequiredSignal("claim_submitting", "alliances")
