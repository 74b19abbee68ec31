"""Invariants of the calculator on random batches (Hypothesis).

Batches draw from small pools of applicants, patent numbers, projects and case numbers so that
duplicate keys and caps collide often. The properties come from the calculator contract:
no amount negative or above its maximum, no cap group over its cap, at most one award per
duplicate key, evaluating in two parts with the first part's awards as history = whole,
the bulk path = the batch path, the same input always gives the same output.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

POLICY = "zhaoqing-hitech-ip-2022"
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- pools (valid identifiers computed once with python-stdnum) ---------------------------

ENT = [
    {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "sme": False},
    {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True},
    {"id": "91441200MA00000234", "kind": "enterprise", "in_zone": True, "sme": True},
    {"id": "91441200MA0000031Y", "kind": "enterprise", "in_zone": False, "sme": True},
]
AGENCY = [
    {"id": "91441200MA0000058N", "kind": "service_agency", "in_zone": True, "sme": True},
    {"id": "91441200MA0000066H", "kind": "service_agency", "in_zone": True},
    {"id": "91441200MA0000074C", "kind": "service_agency", "in_zone": False},
]
SCHOOL = {"id": "12441200456000017E", "kind": "school", "in_zone": True}
UNIV = {"id": "124412004560000259", "kind": "university", "in_zone": True}
INST = {"id": "124412004560000334", "kind": "institution", "in_zone": True}
SOCIAL = {"id": "52441200MJ00000184", "kind": "social_org", "in_zone": True}
PERSON = [
    {"id": "441202201003151005", "kind": "person", "in_zone": True},
    {"id": "441202198801011029", "kind": "person", "in_zone": True},
    {"id": "441202199002281035", "kind": "person", "in_zone": False},
]
ORGS = ENT + AGENCY + [SCHOOL, UNIV, INST, SOCIAL]
ANYONE = ORGS + PERSON
CLIENTS = [  # 35 valid unified social credit codes of zone SMEs
    "91441200MA0001018R", "91441200MA0001026L", "91441200MA0001034F", "91441200MA0001042A",
    "91441200MA00010505", "91441200MA00010690", "91441200MA0001077U", "91441200MA0001085P",
    "91441200MA0001093J", "91441200MA000110XC", "91441200MA00011186", "91441200MA00011261",
    "91441200MA0001134W", "91441200MA0001142Q", "91441200MA0001150L", "91441200MA0001169G",
    "91441200MA0001177B", "91441200MA00011856", "91441200MA00011930", "91441200MA0001206Y",
    "91441200MA0001214T", "91441200MA0001222N", "91441200MA0001230H", "91441200MA000124XC",
    "91441200MA00012587", "91441200MA00012662", "91441200MA0001274X", "91441200MA0001282R",
    "91441200MA0001290M", "91441200MA0001303B", "91441200MA00013116", "91441200MA00013201",
    "91441200MA0001338U", "91441200MA0001346P", "91441200MA0001354J",
]

DATES = ["2022-01-17", "2022-01-18", "2022-06-30", "2023-01-01", "2023-07-20", "2023-12-31",
         "2024-02-29", "2024-09-01", "2025-01-17", "2025-01-18"]
YEARS = st.sampled_from([2022, 2023, 2024])
# One patent or case written several ways (contract v2: compared in a normal form).
PATENTS = st.sampled_from(["ZL1", "ZL2", "ZL3", "1", "zl2", "ZL 3", "ＺＬ１", "2"])
CASES = st.sampled_from([f"K-{i}" for i in range(6)] + ["（2023）粤73民初100号", "(2023)粤73民初100号",
                                                      "(2023) 粤73民初100号 ", "k-1", "Ｋ－２"])


def normal(identifier: str, patent: bool = False) -> str:
    """The contract's normal form, written here independently of the engine."""
    import unicodedata

    text = "".join(unicodedata.normalize("NFKC", identifier).split()).upper()
    return text[2:] if patent and text.startswith("ZL") else text
BOOL_MOSTLY_TRUE = st.sampled_from([True, True, True, False])


def money(max_yuan: int = 800_000):
    fen = st.one_of(
        st.integers(min_value=0, max_value=max_yuan * 100),
        st.sampled_from([1, 5, 123457, 1_000_000_00, 2_000_000_00, 5_000_000_00, 1_000_000_01,
                         20_000_00, 400_000_00]),
    )
    return fen.map(lambda f: f"{Decimal(f) / 100:.2f}")


def _revenue():
    return st.sampled_from(["999999.99", "1000000.00", "1000000.01", "2000000", "2000000.01",
                            "5000000.00", "5000000.01", "12345678.90", "0"])


ITEM_STRATEGIES = {
    "contest_match": (ORGS + PERSON[:1], st.fixed_dictionaries({
        "contest_year": YEARS, "standing": st.sampled_from(["winner", "top50", "top100"]),
        "contest_award_amount": money(600_000)})),
    "ip_strong_enterprise": (ENT + AGENCY + [SCHOOL], st.fixed_dictionaries({
        "title": st.sampled_from(["national_demonstration", "national_advantage",
                                  "provincial_demonstration"])})),
    "china_patent_award": (ORGS + PERSON[:1], st.fixed_dictionaries({
        "patent_number": PATENTS,
        "level": st.sampled_from(["gold", "silver", "excellence"])}, optional={"design_award": st.booleans()})),
    "guangdong_patent_award": (ORGS, st.fixed_dictionaries({
        "patent_number": PATENTS,
        "level": st.sampled_from(["gold", "silver", "excellence"])}, optional={"design_award": st.booleans()})),
    "guangdong_outstanding_inventor": (PERSON + [ENT[0]], st.fixed_dictionaries({"award_year": YEARS})),
    "song_qingling_award": (PERSON + [SCHOOL, INST, UNIV], st.fixed_dictionaries({
        "level": st.sampled_from(["gold", "silver", "bronze", "organization", "best_design"]),
        "award_year": YEARS, "work": st.sampled_from(["作品甲", "作品乙"])})),
    "guangdong_youth_invention_award": (PERSON + [SCHOOL, INST], st.fixed_dictionaries({
        "level": st.sampled_from(["first", "second", "third", "excellence", "organization", "gardener"]),
        "award_year": YEARS, "work": st.sampled_from(["作品甲", "作品乙"])})),
    "ip_education_school": ([SCHOOL, UNIV], st.fixed_dictionaries({
        "level": st.sampled_from(["pilot", "demonstration"])})),
    "ip_university": ([UNIV, SCHOOL], st.fixed_dictionaries({
        "level": st.sampled_from(["pilot", "demonstration"])})),
    "navigation_industry_procurement": (AGENCY + [ENT[0]], st.fixed_dictionaries({
        "project_id": st.sampled_from(["NI-1", "NI-2", "NI-3"]), "contract_amount": money(),
        "brand_institution": BOOL_MOSTLY_TRUE})),
    "navigation_enterprise": (ENT + AGENCY, st.fixed_dictionaries({
        "project_id": st.sampled_from(["NE-1", "NE-2", "NE-3"]), "actual_cost": money(),
        "accepted": BOOL_MOSTLY_TRUE, "higher_level_funded": st.sampled_from([False, False, True])},
        optional={"higher_level_amount": money(200_000)})),
    "ip_operation_match": (ORGS + PERSON[:1], st.fixed_dictionaries({
        "project_id": st.sampled_from(["OP-1", "OP-2", "op-1", "ＯＰ－２", " OP-1 "]),
        "funding_level": st.sampled_from(["national", "provincial", "city"]),
        "funding_amount": money(600_000)})),
    "patent_alliance": (ORGS, st.fixed_dictionaries({
        "alliance_id": st.sampled_from(["AL-1", "AL-2", "al-1", "AL－2"]), "review_passed": BOOL_MOSTLY_TRUE})),
    "patent_litigation": (ANYONE, st.fixed_dictionaries({
        "case_number": CASES,
        "venue": st.sampled_from(["foreign", "domestic", "hk_macao_taiwan"]),
        "infringement_established": BOOL_MOSTLY_TRUE, "judgment_effective": BOOL_MOSTLY_TRUE})),
    "custody_sme": (ENT + AGENCY + [SCHOOL], st.fixed_dictionaries({
        "service_year": YEARS, "actual_cost": money(30_000)})),
    "custody_provider": (AGENCY + [ENT[0]], st.fixed_dictionaries({
        "sme_clients": st.lists(st.sampled_from(CLIENTS), min_size=0, max_size=40)})),
    "ipms_certification": (ENT + AGENCY, st.fixed_dictionaries({
        "stage": st.sampled_from(["initial", "surveillance_1", "surveillance_2", "recertification"]),
        "first_cycle": BOOL_MOSTLY_TRUE, "city_applied": BOOL_MOSTLY_TRUE,
        "actual_cost": money(60_000), "city_subsidy": money(40_000),
        "standard": st.sampled_from(["2013", "2023"])},
        optional={"other_subsidies": money(10_000)})),
    "agency_establishment": (AGENCY + [ENT[0]], st.fixed_dictionaries({
        "kind": st.sampled_from(["agency", "branch", "brand_branch"]),
        "registered_on": st.sampled_from(["2021-12-01", "2022-01-18", "2022-07-20", "2023-09-01"]),
        "cnipa_approved": BOOL_MOSTLY_TRUE, "commitment_3y": BOOL_MOSTLY_TRUE})),
    "service_revenue": (ORGS + PERSON[:1], st.fixed_dictionaries({
        "year": YEARS, "ip_service_revenue": _revenue()})),
    "patent_attorney": (PERSON + [AGENCY[0]], st.fixed_dictionaries({
        "passed_exam": BOOL_MOSTLY_TRUE, "employed_in_zone": BOOL_MOSTLY_TRUE,
        "contract_years": st.sampled_from([0, 2, 2.5, 3, 3.0, 5])})),
    "ipms_auditor": (PERSON + [ENT[0]], st.fixed_dictionaries({
        "ccaa_registered": BOOL_MOSTLY_TRUE, "full_time": BOOL_MOSTLY_TRUE,
        "local_resident": BOOL_MOSTLY_TRUE})),
}
ITEMS = sorted(ITEM_STRATEGIES)

# options of the selectable interpretations
INTERPRETATIONS = {
    "A1": ["top_up", "per_edition", "per_standing"], "A2": ["independent", "top_up"],
    "A7": ["policy_life", "per_year"], "A9": ["top_up", "cumulative"],
    "A11": ["equivalent", "strict_2013"], "A12": ["per_year", "once"],
}


@st.composite
def claim_bodies(draw):
    item = draw(st.sampled_from(ITEMS))
    applicants, facts = ITEM_STRATEGIES[item]
    body = {"item": item, "applicant": dict(draw(st.sampled_from(applicants))),
            "event_date": draw(st.sampled_from(DATES)), "facts": draw(facts)}
    year_facts = [k for k in ("contest_year", "award_year", "service_year", "year") if k in body["facts"]]
    if year_facts and draw(st.integers(0, 4)):  # mostly a year no later than the event's (else invalid, v2)
        body["facts"] = dict(body["facts"], **{year_facts[0]: min(body["facts"][year_facts[0]],
                                                                   int(body["event_date"][:4]))})
    if body["facts"].get("level") in ("organization", "gardener") and draw(st.booleans()):
        body["facts"] = {k: v for k, v in body["facts"].items() if k != "work"}  # not needed (v2 defects)
    if draw(st.integers(0, 3)) == 0:  # now and then a filing date (A26 reads it)
        body["facts"] = dict(body["facts"], filed_on=draw(st.sampled_from(["2024-12-31", "2025-01-17", "2025-01-18", "2025-06-01"])))
    if draw(st.integers(0, 19)) == 0:  # now and then an invalid claim: it must count against nothing
        body["facts"] = dict(body["facts"])
        body["facts"][next(iter(body["facts"]))] = {"not": "valid"}
    return body


@st.composite
def batches(draw, min_size=0, max_size=30):
    bodies = draw(st.lists(claim_bodies(), min_size=min_size, max_size=max_size))
    claims = [{"id": f"c{i}", **b} for i, b in enumerate(bodies)]
    return {"policy": POLICY, "claims": claims}


interpretation_choices = st.fixed_dictionaries(
    {}, optional={k: st.sampled_from(v) for k, v in INTERPRETATIONS.items()})


def _register():
    import yaml
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "src/ipfund/policies/zhaoqing_hitech_ip_2022/policy.yaml"
    return {k: list(v["options"]) for k, v in yaml.safe_load(path.read_text(encoding="utf-8"))["interpretations"].items()}


#: Every option of the whole register: for the properties that compare two ways of deciding.
every_interpretation_choice = st.fixed_dictionaries(
    {}, optional={k: st.sampled_from(v) for k, v in _register().items()})


def evaluate(batch, history=None, interpretations=None):
    from ipfund.engine import evaluate_batch

    return evaluate_batch(copy.deepcopy(batch), history=copy.deepcopy(history),
                          interpretations=dict(interpretations) if interpretations else None)


def strip(decisions):
    return [{k: v for k, v in d.items() if k != "explanation"} for d in decisions]


def D(s):
    return Decimal(s)


def half_up(x: Decimal) -> Decimal:
    from decimal import ROUND_HALF_UP
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the properties ----------------------------------------------------------------------

PER_CLAIM_MAX = {
    "ip_strong_enterprise": 150000, "china_patent_award": 300000, "guangdong_patent_award": 150000,
    "guangdong_outstanding_inventor": 20000, "song_qingling_award": 5000,
    "guangdong_youth_invention_award": 3000, "ip_education_school": 100000,
    "ip_university": 150000, "navigation_industry_procurement": 300000,
    "navigation_enterprise": 150000, "ip_operation_match": 200000, "patent_alliance": 200000,
    "patent_litigation": 100000, "custody_sme": 10000, "agency_establishment": 100000,
    "service_revenue": 150000, "patent_attorney": 5000, "ipms_auditor": 5000,
}


@SETTINGS
@given(batch=batches(), interp=interpretation_choices)
def test_amounts_are_never_negative_nor_above_their_maximum(batch, interp):
    decisions = evaluate(batch, interpretations=interp)["decisions"]
    assert len(decisions) == len(batch["claims"])
    for claim, d in zip(batch["claims"], decisions):
        assert d["id"] == claim["id"]
        if "error" in d:
            continue
        amount, item, f = D(d["amount"]), claim["item"], claim["facts"]
        assert amount >= 0, d
        assert amount == amount.quantize(Decimal("0.01")), d
        if not d["eligible"]:
            assert amount == 0, d
            continue
        cap = {"custody_provider": 300000 if interp.get("A9") == "cumulative" else 150000}.get(
            item, PER_CLAIM_MAX.get(item))
        if cap is not None:
            assert amount <= cap, (claim, d)
        # never more than the formula gave
        formula = {
            "contest_match": lambda: half_up(D(f["contest_award_amount"]) / 2),
            "navigation_industry_procurement": lambda: D(f["contract_amount"]),
            "navigation_enterprise": lambda: half_up(D(f["actual_cost"]) / 2),
            "ip_operation_match": lambda: half_up(D(f["funding_amount"]) / 2),
            "custody_sme": lambda: half_up(D(f["actual_cost"]) / 2),
            "ipms_certification": lambda: D(f["actual_cost"]) - D(f["city_subsidy"])
            - D(f.get("other_subsidies", "0")),
        }.get(item)
        if formula is not None:
            assert amount <= formula(), (claim, d)
            if not (item == "contest_match" and interp.get("A1", "top_up") == "top_up"):
                assert d["capped"] == (amount < formula()), (claim, d)  # a top-up pays less uncapped


def _cap_group(claim, interp):
    item, a, f = claim["item"], claim["applicant"]["id"], claim["facts"]
    if item == "custody_sme":
        return ("custody_sme", a, f["service_year"]), Decimal(10000)
    if item == "ip_operation_match":
        return ("ip_operation_match", normal(f["project_id"])), Decimal(200000)
    if item == "patent_litigation":
        cap = Decimal(300000 if f["venue"] == "foreign" else 100000)
        year = claim["event_date"][:4] if interp.get("A7") == "per_year" else None
        return ("patent_litigation", a, f["venue"], year), cap
    if item == "custody_provider":
        return ("custody_provider", a), Decimal(300000 if interp.get("A9") == "cumulative" else 150000)
    if item == "ip_strong_enterprise" and interp.get("A2") == "top_up":
        return ("ip_strong_enterprise", a), Decimal(150000)
    return None, None


@SETTINGS
@given(batch=batches(max_size=40), interp=interpretation_choices)
def test_cap_groups_never_exceed_their_cap(batch, interp):
    decisions = evaluate(batch, interpretations=interp)["decisions"]
    totals, caps = defaultdict(Decimal), {}
    for claim, d in zip(batch["claims"], decisions):
        if "error" in d or not d["eligible"]:
            continue
        group, cap = _cap_group(claim, interp)
        if group is not None:
            totals[group] += D(d["amount"])
            caps[group] = cap
    for group, total in totals.items():
        assert total <= caps[group], (group, total)


def _dup_key(claim, interp):
    item, a, f = claim["item"], claim["applicant"]["id"], claim["facts"]
    keys = {
        "contest_match": lambda: None if interp.get("A1", "top_up") == "top_up" else
        (a, f["contest_year"]) + ((f["standing"],) if interp.get("A1") == "per_standing" else ()),
        "ip_strong_enterprise": lambda: None if interp.get("A2") == "top_up" else (a, f["title"]),
        "china_patent_award": lambda: (normal(f["patent_number"], patent=True),),
        "guangdong_patent_award": lambda: (normal(f["patent_number"], patent=True),),
        "guangdong_outstanding_inventor": lambda: (a, f["award_year"]),
        "song_qingling_award": lambda: (a, f["award_year"], f["level"])
        + (() if f["level"] == "organization" else (f["work"],)),
        "guangdong_youth_invention_award": lambda: (a, f["award_year"], f["level"])
        + (() if f["level"] in ("organization", "gardener") else (f["work"],)),
        "ip_operation_match": lambda: (normal(f["project_id"]), f["funding_level"]),
        "ip_education_school": lambda: (a, f["level"]),
        "ip_university": lambda: (a, f["level"]),
        "navigation_industry_procurement": lambda: (normal(f["project_id"]),),
        "navigation_enterprise": lambda: (normal(f["project_id"]),),
        "patent_alliance": lambda: (normal(f["alliance_id"]),),
        "patent_litigation": lambda: (normal(f["case_number"]),),
        "ipms_certification": lambda: (a, f["stage"]),
        "agency_establishment": lambda: (a,),
        "service_revenue": lambda: (a,) if interp.get("A12") == "once" else (a, f["year"]),
        "patent_attorney": lambda: (a,),
        "ipms_auditor": lambda: (a,),
    }.get(item)
    if keys is None:
        return None
    key = keys()
    return None if key is None else (item,) + key


@SETTINGS
@given(batch=batches(max_size=40), interp=interpretation_choices)
def test_each_duplicate_key_is_awarded_at_most_once(batch, interp):
    decisions = evaluate(batch, interpretations=interp)["decisions"]
    seen = {}
    for claim, d in zip(batch["claims"], decisions):
        if "error" in d or not d["eligible"]:
            continue
        key = _dup_key(claim, interp)
        if key is None:
            continue
        assert key not in seen, f"{claim['id']} re-awards key {key} already awarded to {seen[key]}"
        seen[key] = claim["id"]


@SETTINGS
@given(batch=batches(min_size=1), interp=every_interpretation_choice, data=st.data())
def test_two_parts_with_history_equal_the_whole(batch, interp, data):
    k = data.draw(st.integers(0, len(batch["claims"])), label="split")
    whole = evaluate(batch, interpretations=interp)["decisions"]
    first = {"policy": POLICY, "claims": batch["claims"][:k]}
    second = {"policy": POLICY, "claims": batch["claims"][k:]}
    first_decisions = evaluate(first, interpretations=interp)["decisions"]
    # later claims never change earlier decisions
    assert strip(first_decisions) == strip(whole[:k])
    awarded = [dict(claim, amount=d["amount"]) for claim, d in zip(first["claims"], first_decisions)
               if "error" not in d and d["eligible"]]
    history = {"policy": POLICY, "awarded": awarded}
    second_decisions = evaluate(second, history=history, interpretations=interp)["decisions"]
    assert strip(second_decisions) == strip(whole[k:])


@SETTINGS
@given(batch=batches(), interp=every_interpretation_choice, explain=st.booleans())
def test_bulk_path_equals_batch_path(batch, interp, explain):
    from ipfund.engine.bulk import evaluate_lines

    whole = evaluate(batch, interpretations=interp)["decisions"]
    lines = [json.dumps(c, ensure_ascii=False).encode() for c in batch["claims"]]
    bulk = list(evaluate_lines(iter(lines), policy=POLICY, interpretations=dict(interp) or None,
                               explain=explain))
    if explain:
        assert bulk == whole
    else:
        assert all("explanation" not in d for d in bulk)
        assert bulk == strip(whole)


@SETTINGS
@given(batch=batches(min_size=1, max_size=15), interp=every_interpretation_choice, data=st.data())
def test_bulk_path_with_history_equals_batch_path(batch, interp, data):
    from ipfund.engine.bulk import evaluate_lines

    k = data.draw(st.integers(0, len(batch["claims"])), label="split")
    first = {"policy": POLICY, "claims": batch["claims"][:k]}
    rest = {"policy": POLICY, "claims": batch["claims"][k:]}
    first_decisions = evaluate(first, interpretations=interp)["decisions"]
    history = {"policy": POLICY, "awarded": [
        dict(c, amount=d["amount"]) for c, d in zip(first["claims"], first_decisions)
        if "error" not in d and d["eligible"]]}
    want = strip(evaluate(rest, history=history, interpretations=interp)["decisions"])
    lines = [json.dumps(c, ensure_ascii=False).encode() for c in rest["claims"]]
    got = list(evaluate_lines(iter(lines), policy=POLICY, history=copy.deepcopy(history),
                              interpretations=dict(interp) or None))
    assert got == want


@SETTINGS
@given(batch=batches(), interp=interpretation_choices)
def test_same_input_same_output_and_input_untouched(batch, interp):
    before = copy.deepcopy(batch)
    from ipfund.engine import evaluate_batch

    one = evaluate_batch(batch, interpretations=dict(interp) or None)
    assert batch == before, "the engine must not change its input"
    two = evaluate_batch(batch, interpretations=dict(interp) or None)
    assert one == two
    assert json.loads(json.dumps(one, ensure_ascii=False)) == one, "decisions are plain JSON"


def test_bulk_across_chunk_boundaries_equals_batch():
    """A file longer than any internal chunk: keys and caps carry across the boundary."""
    from ipfund.engine import evaluate_batch
    from ipfund.engine.bulk import evaluate_lines

    sme = ENT[1]
    claims = []
    for i in range(20_050):
        if i % 2:
            claims.append({"id": f"c{i}", "item": "custody_sme", "applicant": sme,
                           "event_date": f"{2022 + (i // 7000)}-07-20",
                           "facts": {"service_year": 2022 + (i // 7000), "actual_cost": "7.13"}})
        else:
            claims.append({"id": f"c{i}", "item": "china_patent_award", "applicant": ENT[i % 3],
                           "event_date": "2023-07-20",
                           "facts": {"patent_number": f"ZL{i % 10007}", "level": "gold"}})
    whole = evaluate_batch({"policy": POLICY, "claims": claims})["decisions"]
    lines = (json.dumps(c).encode() for c in claims)
    bulk = list(evaluate_lines(lines, policy=POLICY))
    assert bulk == strip(whole)
    paid = sum(D(d["amount"]) for c, d in zip(claims, bulk) if c["item"] == "custody_sme")
    assert paid <= 3 * 10000
    patents = {c["facts"]["patent_number"] for c in claims if c["item"] == "china_patent_award"}
    assert sum(1 for c, d in zip(claims, bulk)
               if c["item"] == "china_patent_award" and d["eligible"]) == len(patents)


@SETTINGS
@given(data=st.data())
def test_contest_edition_pays_the_same_in_any_order(data):
    """A1 (default top_up): what an applicant is paid for one edition is 50% of the highest award
    amount it claimed, whatever the order of its claims (the defect: top 100 first, winner lost)."""
    bodies = data.draw(st.lists(st.fixed_dictionaries({
        "applicant": st.sampled_from(ENT[:3]), "standing": st.sampled_from(["winner", "top50", "top100"]),
        "contest_year": st.sampled_from([2022, 2023]),
        "contest_award_amount": st.sampled_from(["40000", "100000", "480000", "0.01", "99999.99"])}),
        min_size=1, max_size=12), label="claims")
    claims = [{"id": f"c{i}", "item": "contest_match", "applicant": b["applicant"], "event_date": "2023-07-20",
               "facts": {k: b[k] for k in ("standing", "contest_year", "contest_award_amount")}}
              for i, b in enumerate(bodies)]
    order = data.draw(st.permutations(claims), label="order")

    def paid(batch):
        totals = defaultdict(Decimal)
        for c, d in zip(batch, evaluate({"policy": POLICY, "claims": batch})["decisions"]):
            totals[(c["applicant"]["id"], c["facts"]["contest_year"])] += D(d["amount"])
        return totals

    want = defaultdict(Decimal)
    for c in claims:
        key = (c["applicant"]["id"], c["facts"]["contest_year"])
        want[key] = max(want[key], half_up(D(c["facts"]["contest_award_amount"]) / 2))
    assert paid(claims) == want
    assert paid(list(order)) == want
