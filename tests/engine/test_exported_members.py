"""The engine's public API is its one door, the module ipfund.engine (httpx's tests/test_exported_members.py):
adding a name is a decision, made here. The web, the HTTP API and the CLI import nothing else of the
engine (import-linter, pyproject.toml); policies reach them as the read model, never as `Policy`."""

import ipfund.engine

PUBLIC = {
    "Applicant", "Award", "AwardIndex", "BAD_INTERPRET_ARG", "BatchError", "canonical", "CAP", "CapGroup",
    "check_folder", "check_package", "Claim", "ClauseView", "decide", "Decision", "diff_packages", "ELIGIBLE",
    "evaluate_batch", "evaluate_claims", "evaluate_jsonl", "EXPIRED", "Explanation", "FactView", "field_words",
    "folder_package_id", "forget_loaded", "golden_test", "GoldenReport", "Holder", "IN_FORCE", "INELIGIBLE",
    "InputError", "install_package", "installed_ids", "InterpretationView", "INVALID", "InvalidInput", "ItemView",
    "ledger_names", "LEDGER_SEPARATOR", "LedgerLookup", "MATTER", "NO_CLAIMS", "NOT_JSON", "NOT_OBJECT", "NOT_YET",
    "open_package", "package_folder", "package_refs", "package_summary", "PackageRef", "policy_view",
    "policy_view_at", "PolicyView", "predecessor_view", "PSEUDONYM_PREFIX", "REASON_LABELS", "ric_valid", "scaffold",
    "ScaffoldError", "show_item", "show_policy", "StaleBuild", "state_label", "STATE_LABELS", "state_on", "Step",
    "TOO_DEEP", "TOO_LARGE", "TOP_UP", "uscc_valid", "use_policy_store", "Validity", "validity_of",
    # facts the platform knows, stages, promises, allocation, the sandbox, Dask
    "Earlier", "RegisterList", "registers_used", "Planned", "installment_plan", "PromiseTerms", "promise_terms",
    "promise_end", "ALLOCATION_BY", "ALLOCATION_OVER", "ALLOCATION_REMAINDERS", "ALLOCATION_TIES", "Allocation",
    "ProRataPlan", "Quota", "Ranked", "pro_rata", "rank", "Override", "parameter_value", "with_parameters",
    "interpretations_resolved", "is_private",  # a cache file or folder only this user may write (the policy library's kept reports)
    "evaluate_jsonl_on_dask", "dask_client", "decide_claims", "decide_each", "decide_jsonl", "LedgerSnapshot",
}


def test_the_engine_exports_exactly_its_public_names():
    assert set(ipfund.engine.__all__) == PUBLIC
    for name in PUBLIC:
        value = getattr(ipfund.engine, name)
        if callable(value):
            assert value.__module__.startswith("ipfund.engine"), name


def test_the_door_hands_out_no_engine_policy():
    assert not hasattr(ipfund.engine, "Policy") and not hasattr(ipfund.engine, "load_policy")
    view = ipfund.engine.policy_view("zhaoqing-hitech-ip-2022")
    assert isinstance(view, ipfund.engine.PolicyView)
    item = view.items["china_patent_award"]
    assert item.clause and item.title and all(isinstance(f, ipfund.engine.FactView) for f in item.facts)
    assert view.issuer == "肇庆高新区管委会办公室" and view.versions[0][1] == view.document_number
