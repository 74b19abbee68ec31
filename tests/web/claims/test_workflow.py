"""The transition table: every legal move, and every other move refused."""

from __future__ import annotations

import pytest

from ipfund.web.accounts import roles
from ipfund.web.claims.workflow import ACTION_ROLE, ILLEGAL_TRANSITION, TRANSITIONS, Action, IllegalTransition, State, next_state

EXPECTED = {
    ("draft", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
    ("submitted", "return"): "returned",
    ("submitted", "reject"): "rejected",
    ("submitted", "recommend"): "recommended",
    ("recommended", "approve"): "approved",
    ("recommended", "send_back"): "submitted",
    ("recommended", "quota_refuse"): "rejected",  # a quota filled from the ranking: not selected
    ("approved", "publish"): "in_notice",
    ("in_notice", "revoke"): "revoked",
    ("in_notice", "finalize"): "final",
    ("final", "pay"): "paid",
    ("final", "pay_fail"): "payment_failed",
    ("payment_failed", "pay"): "paid",
    ("payment_failed", "pay_fail"): "payment_failed",
    # 免申即享: a claim proposed from a register (待确认) is confirmed into review or declined
    ("proposed", "confirm"): "submitted",
    ("proposed", "decline"): "declined",
    # stages (分期拨付): installments paid one by one; a failed condition closes the claim
    ("final", "pay_part"): "partly_paid",
    ("partly_paid", "pay_part"): "partly_paid",
    ("payment_failed", "pay_part"): "partly_paid",
    ("partly_paid", "pay"): "paid",
    ("partly_paid", "pay_fail"): "payment_failed",
    ("partly_paid", "close"): "closed",
    ("final", "close"): "closed",
}


def test_table_is_exactly_the_agreed_workflow():
    assert {(str(s), str(a)): str(t) for (s, a), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_move(state, action):
    if (state.value, action.value) in EXPECTED:
        assert next_state(state, action) == EXPECTED[(state.value, action.value)]
    else:
        with pytest.raises(IllegalTransition) as err:
            next_state(state, action)
        assert err.value.messages == [ILLEGAL_TRANSITION.format(state=state.label, action=action.label)]


def test_terminal_states_have_no_way_out():
    for state in ("paid", "rejected", "withdrawn", "revoked", "declined", "closed"):
        assert not [a for (s, a) in TRANSITIONS if s == state]


def test_every_action_has_one_role():
    assert set(ACTION_ROLE) == set(Action)
    assert ACTION_ROLE[Action.APPROVE] == roles.APPROVER and ACTION_ROLE[Action.PAY] == roles.FINANCE
