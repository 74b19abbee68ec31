"""What accounts tells the apps built on it, which it does not import (they import accounts): each
signal is sent inside the change's transaction, and the app that acts on it connects its receiver in
its AppConfig.ready."""

from ipfund.web.hooks import RequiredSignal

# The reasons a user's API tokens are revoked (shown in the token list and the audit log).
REVOKED_ROLE_GRANT = "角色变更"
REVOKED_PASSWORD = "密码变更"
REVOKED_MFA_RESET = "双因素认证重置"

# A user's roles grew, password changed or second factor was reset: sent with actor=, user= and
# reason= (one of the REVOKED_* above). The API app revokes the user's live tokens.
credentials_changed = RequiredSignal("credentials_changed", "api")

# An applicant changes the bank account on the profile: sent with actor=, profile= and bank= (the
# changed bank fields) before they are saved. A receiver that holds the change (payments: an award
# waits for payment, so the new account waits for a second person) returns True, and the profile
# keeps its account; when none does, the new account is saved with the other changes.
bank_account_changing = RequiredSignal("bank_account_changing", "payments")
