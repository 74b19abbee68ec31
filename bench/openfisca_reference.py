"""The issue's yardstick, built and run here: an OpenFisca model of the policy's items reading the
same JSONL file with orjson, so that ipfund and the reference are timed on the same machine on
the same day (this VM's speed varies about twofold from day to day).

`bench/versus_openfisca.py` makes its venv (bench/.venv-openfisca, OpenFisca-Core and orjson) and
times it against ipfund; by hand: `bench/.venv-openfisca/bin/python bench/openfisca_reference.py FILE OUT`.

What it is: what a rules-as-code user would write with OpenFisca — one entity (the claim), the
policy's amounts as OpenFisca parameters, facts as input variables (money in OpenFisca's float,
which is float32), and 17 item formulas: every item whose amount is a formula of the claim's
own facts, that is all 21 but custody_provider (its client list cannot be an OpenFisca
variable) and the three flat person awards (guangdong_outstanding_inventor, patent_attorney,
ipms_auditor). The formulas check validity, the zone, applicant kind and the item's
conditions. Like any OpenFisca model it computes claims independently: no ordered caps, no
duplicate keys, no identifier checks — so it does less work than ipfund, never more.
It writes one line per claim: {"id", "amount"} with the amount printed from float32.

It prints its wall time, the time spent in `calculate`, and its peak RSS on stderr.
"""

from __future__ import annotations

import resource
import sys
import time
from array import array

import numpy as np
import orjson
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

UNIT = DateUnit.YEAR  # formulas need a dated period; every claim is read in one year
PERIOD = "2023"

Claim = build_entity(key="claim", plural="claims", label="一项申报", is_person=True)

PARAMETERS = {
    "validity": {"start": {"values": {"2022-01-18": 20220118}}, "end": {"values": {"2022-01-18": 20250117}}},
    "match_rate": {"values": {"2022-01-18": 0.5}},
    "strong": {k: {"values": {"2022-01-18": v}} for k, v in
               {"national_demonstration": 150000, "national_advantage": 100000, "provincial_demonstration": 80000}.items()},
    "china_patent": {k: {"values": {"2022-01-18": v}} for k, v in {"gold": 300000, "silver": 200000, "excellence": 150000}.items()},
    "gd_patent": {k: {"values": {"2022-01-18": v}} for k, v in {"gold": 150000, "silver": 100000, "excellence": 50000}.items()},
    "song": {k: {"values": {"2022-01-18": v}} for k, v in
             {"gold": 5000, "silver": 3000, "bronze": 2000, "organization": 2000, "best_design": 3000}.items()},
    "youth": {k: {"values": {"2022-01-18": v}} for k, v in
              {"first": 3000, "second": 2000, "third": 1000, "excellence": 500, "organization": 2000, "gardener": 1000}.items()},
    "school": {k: {"values": {"2022-01-18": v}} for k, v in {"pilot": 50000, "demonstration": 100000}.items()},
    "university": {k: {"values": {"2022-01-18": v}} for k, v in {"pilot": 100000, "demonstration": 150000}.items()},
    "nav_procurement_cap": {"values": {"2022-01-18": 300000}},
    "nav_enterprise_cap": {"values": {"2022-01-18": 150000}},
    "operation_cap": {"values": {"2022-01-18": 200000}},
    "alliance": {"values": {"2022-01-18": 200000}},
    "litigation": {"foreign": {"values": {"2022-01-18": 100000}}, "domestic": {"values": {"2022-01-18": 20000}}},
    "custody_cap": {"values": {"2022-01-18": 10000}},
    "agency": {k: {"values": {"2022-01-18": v}} for k, v in {"agency": 100000, "branch": 50000, "brand_branch": 100000}.items()},
    "revenue": {"t1": {"values": {"2022-01-18": 1000000}}, "t2": {"values": {"2022-01-18": 2000000}},
                "t3": {"values": {"2022-01-18": 5000000}}, "a1": {"values": {"2022-01-18": 30000}},
                "a2": {"values": {"2022-01-18": 60000}}, "a3": {"values": {"2022-01-18": 150000}}},
}

ITEMS = ("contest_match", "ip_strong_enterprise", "china_patent_award", "guangdong_patent_award",
         "song_qingling_award", "guangdong_youth_invention_award", "ip_education_school", "ip_university",
         "navigation_industry_procurement", "navigation_enterprise", "ip_operation_match", "patent_alliance",
         "patent_litigation", "custody_sme", "ipms_certification", "agency_establishment", "service_revenue")
KINDS = ("enterprise", "service_agency", "school", "university", "institution", "social_org", "person")
LEVELS = ("gold", "silver", "excellence", "bronze", "organization", "best_design", "first", "second", "third",
          "gardener", "pilot", "demonstration", "national_demonstration", "national_advantage",
          "provincial_demonstration", "foreign", "domestic", "agency", "branch", "brand_branch")


def _enum(name, values):
    return Enum(name, {v: v for v in ("none",) + values})


ItemE, KindE, LevelE = _enum("ItemE", ITEMS), _enum("KindE", KINDS), _enum("LevelE", LEVELS)


def _input(name, value_type, **kw):
    return type(name, (Variable,), {"value_type": value_type, "entity": Claim, "definition_period": UNIT,
                                    "label": name, **kw})


# Facts. `level` carries each item's one enumerated fact: its level, or its title, venue or kind.
FLOATS = ("money_a", "money_b", "money_c")          # the item's money facts, in order
INTS = ("event_day", "registered_day")               # dates as yyyymmdd
BOOLS = ("in_zone", "sme", "b1", "b2")               # the item's boolean conditions, in order
INPUTS = ([_input(n, float) for n in FLOATS] + [_input(n, int) for n in INTS] + [_input(n, bool) for n in BOOLS]
          + [_input("item", Enum, possible_values=ItemE, default_value=ItemE.none),
             _input("kind", Enum, possible_values=KindE, default_value=KindE.none),
             _input("level", Enum, possible_values=LevelE, default_value=LevelE.none)])


def _common(c, p, kinds):
    day = c("event_day", PERIOD)
    ok = (day >= p.validity.start) & (day <= p.validity.end) & c("in_zone", PERIOD)
    kind = c("kind", PERIOD)
    return ok & np.isin(kind, [KindE[k].index for k in kinds]) if kinds else ok & (kind != KindE.person)


def _pick(c, node, names):
    level = c("level", PERIOD)
    return np.select([level == LevelE[n] for n in names], [node[n] for n in names], 0)


def _formula(item, body):
    def formula(claim, period, parameters):
        p = parameters("2022-01-18")
        return np.where(claim("item", PERIOD) == ItemE[item], body(claim, p), 0)
    return type(item, (Variable,), {"value_type": float, "entity": Claim, "definition_period": UNIT,
                                    "label": item, "formula": formula})


ORG = ()
FORMULAS = [
    _formula("contest_match", lambda c, p: _common(c, p, ORG) * c("money_a", PERIOD) * p.match_rate),
    _formula("ip_strong_enterprise", lambda c, p: _common(c, p, ("enterprise", "service_agency"))
             * _pick(c, p.strong, ("national_demonstration", "national_advantage", "provincial_demonstration"))),
    _formula("china_patent_award", lambda c, p: _common(c, p, ORG) * _pick(c, p.china_patent, ("gold", "silver", "excellence"))),
    _formula("guangdong_patent_award", lambda c, p: _common(c, p, ORG) * _pick(c, p.gd_patent, ("gold", "silver", "excellence"))),
    _formula("song_qingling_award", lambda c, p: _common(c, p, ("person", "school", "institution"))
             * _pick(c, p.song, ("gold", "silver", "bronze", "organization", "best_design"))),
    _formula("guangdong_youth_invention_award", lambda c, p: _common(c, p, ("person", "school", "institution"))
             * _pick(c, p.youth, ("first", "second", "third", "excellence", "organization", "gardener"))),
    _formula("ip_education_school", lambda c, p: _common(c, p, ("school",)) * _pick(c, p.school, ("pilot", "demonstration"))),
    _formula("ip_university", lambda c, p: _common(c, p, ("university",)) * _pick(c, p.university, ("pilot", "demonstration"))),
    _formula("navigation_industry_procurement", lambda c, p: (
        (c("event_day", PERIOD) >= p.validity.start) & (c("event_day", PERIOD) <= p.validity.end)
        & (c("kind", PERIOD) == KindE.service_agency) & c("b1", PERIOD))
        * np.minimum(c("money_a", PERIOD), p.nav_procurement_cap)),
    _formula("navigation_enterprise", lambda c, p: (_common(c, p, ("enterprise", "service_agency")) & c("b1", PERIOD)
                                                    & ~c("b2", PERIOD))
             * np.minimum(c("money_a", PERIOD) * p.match_rate, p.nav_enterprise_cap)),
    _formula("ip_operation_match", lambda c, p: _common(c, p, ORG)
             * np.minimum(c("money_a", PERIOD) * p.match_rate, p.operation_cap)),
    _formula("patent_alliance", lambda c, p: (_common(c, p, ORG) & c("b1", PERIOD)) * p.alliance),
    _formula("patent_litigation", lambda c, p: (_common(c, p, KINDS) & c("b1", PERIOD) & c("b2", PERIOD))
             * _pick(c, p.litigation, ("foreign", "domestic"))),
    _formula("custody_sme", lambda c, p: (_common(c, p, ("enterprise", "service_agency")) & c("sme", PERIOD))
             * np.minimum(c("money_a", PERIOD) * p.match_rate, p.custody_cap)),
    _formula("ipms_certification", lambda c, p: (_common(c, p, ("enterprise", "service_agency")) & c("b1", PERIOD)
                                                 & c("b2", PERIOD))
             * np.maximum(0, c("money_a", PERIOD) - c("money_b", PERIOD) - c("money_c", PERIOD))),
    _formula("agency_establishment", lambda c, p: (
        _common(c, p, ("service_agency",)) & c("b2", PERIOD)
        & (c("b1", PERIOD) | (c("level", PERIOD) == LevelE.brand_branch))
        & (c("registered_day", PERIOD) >= p.validity.start)
        & (c("event_day", PERIOD) >= c("registered_day", PERIOD) + 10000))
        * _pick(c, p.agency, ("agency", "branch", "brand_branch"))),
    _formula("service_revenue", lambda c, p: _common(c, p, ORG) * np.select(
        [c("money_a", PERIOD) > p.revenue.t3, c("money_a", PERIOD) > p.revenue.t2, c("money_a", PERIOD) > p.revenue.t1],
        [p.revenue.a3, p.revenue.a2, p.revenue.a1], 0)),
]


class amount(Variable):  # noqa: N801 — OpenFisca names a variable after its class
    value_type, entity, definition_period, label = float, Claim, UNIT, "amount"

    def formula(claim, period, parameters):
        return sum(claim(item, PERIOD) for item in ITEMS)


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Claim])
    tbs.parameters = ParameterNode("", data=PARAMETERS)
    for v in INPUTS + FORMULAS + [amount]:
        tbs.add_variable(v)
    return tbs


# Which facts of each item feed money_a/b/c, b1/b2 and level.
MONEY = {"contest_match": ("contest_award_amount",), "navigation_industry_procurement": ("contract_amount",),
         "navigation_enterprise": ("actual_cost",), "ip_operation_match": ("funding_amount",),
         "custody_sme": ("actual_cost",), "ipms_certification": ("actual_cost", "city_subsidy", "other_subsidies"),
         "service_revenue": ("ip_service_revenue",)}
FLAGS = {"navigation_industry_procurement": ("brand_institution",), "navigation_enterprise": ("accepted", "higher_level_funded"),
         "patent_alliance": ("review_passed",), "patent_litigation": ("infringement_established", "judgment_effective"),
         "ipms_certification": ("first_cycle", "city_applied"), "agency_establishment": ("cnipa_approved", "commitment_3y")}
LEVEL_FACT = {"ip_strong_enterprise": "title", "patent_litigation": "venue", "agency_establishment": "kind"}


def _day(text):
    return int(text[:4] + text[5:7] + text[8:10]) if isinstance(text, str) and len(text) == 10 else 0


def read(path):
    """One pass with orjson; numbers go straight into typed arrays and enumerations into their
    OpenFisca indices, so that no column is held as a list of Python objects but the ids."""
    item_ix = {name: ItemE[name].index for name in ITEMS}
    kind_ix = {name: KindE[name].index for name in KINDS}
    level_ix = {name: LevelE[name].index for name in LEVELS}
    ids, items = [], array("h")
    kinds, levels = array("h"), array("h")
    money = (array("f"), array("f"), array("f"))
    flags = (array("b"), array("b"))
    in_zone, sme, event_day, registered_day = array("b"), array("b"), array("i"), array("i")
    loads = orjson.loads
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            c = loads(line)
            item = c.get("item")
            facts = c.get("facts") or {}
            applicant = c.get("applicant") or {}
            ids.append(c.get("id"))
            items.append(item_ix.get(item, 0))
            kinds.append(kind_ix.get(applicant.get("kind"), 0))
            levels.append(level_ix.get(facts.get(LEVEL_FACT.get(item, "level")), 0))
            names = MONEY.get(item, ())
            for k in range(3):
                money[k].append(float(facts.get(names[k], 0) or 0) if k < len(names) else 0.0)
            names = FLAGS.get(item, ())
            for k in range(2):
                flags[k].append(bool(facts.get(names[k])) if k < len(names) else False)
            in_zone.append(bool(applicant.get("in_zone")))
            sme.append(bool(applicant.get("sme")))
            event_day.append(_day(c.get("event_date")))
            registered_day.append(_day(facts.get("registered_on")))

    def enum(values, possible):
        return EnumArray(np.frombuffer(values, dtype=np.int16), possible)

    def typed(values, dtype):
        return np.frombuffer(values, dtype=dtype)

    return ids, {
        "item": enum(items, ItemE), "kind": enum(kinds, KindE), "level": enum(levels, LevelE),
        "money_a": typed(money[0], np.float32), "money_b": typed(money[1], np.float32),
        "money_c": typed(money[2], np.float32), "b1": typed(flags[0], np.bool_), "b2": typed(flags[1], np.bool_),
        "in_zone": typed(in_zone, np.bool_), "sme": typed(sme, np.bool_),
        "event_day": typed(event_day, np.int32), "registered_day": typed(registered_day, np.int32)}


def main(src: str, out: str) -> None:
    t0 = time.perf_counter()
    tbs = system()
    ids, columns = read(src)
    sim = SimulationBuilder().build_default_simulation(tbs, len(ids))
    for name, values in columns.items():
        sim.set_input(name, PERIOD, values)
    t1 = time.perf_counter()
    amounts = sim.calculate("amount", PERIOD)
    t2 = time.perf_counter()
    dumps = orjson.dumps
    with open(out, "wb") as fh:
        fh.writelines(dumps({"id": i, "amount": f"{a:.2f}"}) + b"\n" for i, a in zip(ids, amounts.tolist()))
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"openfisca reference: {len(ids):,} claims, {t3 - t0:.2f} s wall "
          f"(read {t1 - t0:.2f}, calculate {t2 - t1:.2f}, write {t3 - t2:.2f}), peak RSS {peak:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
