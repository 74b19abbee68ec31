"""The engine's public API is a few names (httpx's tests/test_exported_members.py): adding one is
a decision, made here."""

import ipfund.engine

PUBLIC = {
    "Applicant", "Award", "AwardIndex", "BatchError", "CapGroup", "Claim", "Decision", "Explanation", "Holder",
    "InputError", "LedgerLookup", "ledger_names", "PromiseTerms", "promise_end", "promise_terms",
    # facts the platform knows (engine/known.py): earlier awards read back, a register's version
    "Earlier", "RegisterList",
    "InvalidInput", "Policy", "Step", "decide", "evaluate_batch", "evaluate_claims", "load_policy",
}


def test_the_engine_exports_exactly_its_public_names():
    assert set(ipfund.engine.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(ipfund.engine, name).__module__.startswith("ipfund.engine")
