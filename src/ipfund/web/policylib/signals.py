"""What the policy library tells the apps built on it, which it does not import (they import it)."""

from ipfund.web.hooks import RequiredSignal

# A package is about to be retired: sent with policy_id= inside package_retire's transaction. A
# receiver that finds the package still in use raises ValidationError (and nothing is retired).
# Rounds (RoundsConfig.ready) and claims (ClaimsConfig.ready) connect theirs, in that order.
package_retiring = RequiredSignal("package_retiring", "rounds, claims")
