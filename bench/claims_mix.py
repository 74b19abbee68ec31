"""Synthetic claims of the full item mix, for benchmarks and property tests: valid identifiers
(with real check characters), applicants drawn from pools small enough that caps and duplicate
keys collide, a share of claims outside the validity period, out of the zone or of the wrong kind."""

from __future__ import annotations

import random
import string

from stdnum.cn import ric, uscc

ITEMS = (
    "contest_match", "ip_strong_enterprise", "china_patent_award", "guangdong_patent_award",
    "guangdong_outstanding_inventor", "song_qingling_award", "guangdong_youth_invention_award",
    "ip_education_school", "ip_university", "navigation_industry_procurement", "navigation_enterprise",
    "ip_operation_match", "patent_alliance", "patent_litigation", "custody_sme", "custody_provider",
    "ipms_certification", "agency_establishment", "service_revenue", "patent_attorney", "ipms_auditor",
)
PERSON_ITEMS = {"guangdong_outstanding_inventor", "patent_attorney", "ipms_auditor"}
KIND_FOR = {
    "ip_education_school": "school", "ip_university": "university",
    "navigation_industry_procurement": "service_agency", "custody_provider": "service_agency",
    "agency_establishment": "service_agency",
}
_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(rng: random.Random) -> str:
    body = "9144" + "".join(rng.choice("0123456789") for _ in range(4)) + "".join(rng.choice(_ALPHA) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_ric(rng: random.Random) -> str:
    body = "441202" + f"{rng.randint(1990, 2012)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check character


def _money(rng, lo, hi):
    fen = rng.randint(lo * 100, hi * 100)
    return f"{fen // 100}.{fen % 100:02d}"


def _date(rng, lo=2021, hi=2025):
    return f"{rng.randint(lo, hi)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _facts(item, rng, pools):
    pick = rng.choice
    if item == "contest_match":
        return {"contest_year": rng.randint(2022, 2024), "standing": pick(["winner", "top50", "top100"]),
                "contest_award_amount": _money(rng, 10000, 500000)}
    if item == "ip_strong_enterprise":
        return {"title": pick(["national_demonstration", "national_advantage", "provincial_demonstration"])}
    if item in ("china_patent_award", "guangdong_patent_award"):
        return {"patent_number": f"ZL2019{rng.randint(0, pools['patents']):08d}.{rng.randint(0, 9)}",
                "level": pick(["gold", "silver", "excellence"])}
    if item == "guangdong_outstanding_inventor":
        return {"award_year": rng.randint(2022, 2024)}
    if item == "song_qingling_award":
        return {"level": pick(["gold", "silver", "bronze", "organization", "best_design"]),
                "award_year": rng.randint(2022, 2024), "work": f"作品{rng.randint(0, 50)}"}
    if item == "guangdong_youth_invention_award":
        return {"level": pick(["first", "second", "third", "excellence", "organization", "gardener"]),
                "award_year": rng.randint(2022, 2024), "work": f"作品{rng.randint(0, 50)}"}
    if item in ("ip_education_school", "ip_university"):
        return {"level": pick(["pilot", "demonstration"])}
    if item == "navigation_industry_procurement":
        return {"project_id": f"NAV-I-{rng.randint(0, pools['projects'])}", "contract_amount": _money(rng, 50000, 400000),
                "brand_institution": rng.random() < 0.9}
    if item == "navigation_enterprise":
        return {"project_id": f"NAV-E-{rng.randint(0, pools['projects'])}", "actual_cost": _money(rng, 10000, 400000),
                "accepted": rng.random() < 0.9, "higher_level_funded": rng.random() < 0.1}
    if item == "ip_operation_match":
        return {"project_id": f"OP-{rng.randint(0, pools['projects'])}", "funding_level": pick(["national", "provincial", "city"]),
                "funding_amount": _money(rng, 10000, 300000)}
    if item == "patent_alliance":
        return {"alliance_id": f"AL-{rng.randint(0, pools['projects'])}", "review_passed": rng.random() < 0.9}
    if item == "patent_litigation":
        return {"case_number": f"(2023)粤73民初{rng.randint(0, pools['cases'])}号", "venue": pick(["foreign", "domestic"]),
                "infringement_established": rng.random() < 0.9, "judgment_effective": rng.random() < 0.95}
    if item == "custody_sme":
        return {"service_year": rng.randint(2022, 2024), "actual_cost": _money(rng, 1000, 30000)}
    if item == "custody_provider":
        return {"sme_clients": rng.sample(pools["orgs"], rng.randint(0, 35))}
    if item == "ipms_certification":
        cost = rng.randint(10000, 60000)
        return {"stage": pick(["initial", "surveillance_1", "surveillance_2", "recertification"]),
                "first_cycle": rng.random() < 0.9, "city_applied": rng.random() < 0.9,
                "actual_cost": str(cost), "city_subsidy": str(rng.randint(0, cost)), "other_subsidies": "0"}
    if item == "agency_establishment":
        return {"kind": pick(["agency", "branch", "brand_branch"]), "registered_on": _date(rng, 2021, 2023),
                "cnipa_approved": rng.random() < 0.9, "commitment_3y": rng.random() < 0.95}
    if item == "service_revenue":
        return {"year": rng.randint(2022, 2024), "ip_service_revenue": _money(rng, 500000, 6000000)}
    if item == "patent_attorney":
        return {"passed_exam": rng.random() < 0.95, "employed_in_zone": rng.random() < 0.9,
                "contract_years": rng.choice([1, 2, 3, 3.5, 5])}
    if item == "ipms_auditor":
        return {"ccaa_registered": rng.random() < 0.95, "full_time": rng.random() < 0.9, "local_resident": rng.random() < 0.9}
    raise ValueError(item)


def make_pools(rng: random.Random, orgs=20000, persons=20000, patents=200000, projects=50000, cases=30000):
    return {
        "orgs": [make_uscc(rng) for _ in range(orgs)],
        "persons": [make_ric(rng) for _ in range(persons)],
        "patents": patents, "projects": projects, "cases": cases,
    }


def make_claim(i: int, rng: random.Random, pools) -> dict:
    item = ITEMS[rng.randrange(len(ITEMS))]
    if item in PERSON_ITEMS or (item in ("song_qingling_award", "guangdong_youth_invention_award") and rng.random() < 0.9):
        kind, aid = "person", rng.choice(pools["persons"])
    elif item == "patent_litigation" and rng.random() < 0.2:
        kind, aid = "person", rng.choice(pools["persons"])
    else:
        if item in ("song_qingling_award", "guangdong_youth_invention_award"):
            kind = "school"
        else:
            kind = KIND_FOR.get(item) or rng.choice(["enterprise", "enterprise", "enterprise", "service_agency", "institution"])
        if rng.random() < 0.02:
            kind = rng.choice(["social_org", "university", "school"])
        aid = rng.choice(pools["orgs"])
    return {
        "id": f"c{i}",
        "item": item,
        "applicant": {"id": aid, "kind": kind, "name": "申请人" + aid[-4:], "in_zone": rng.random() < 0.95,
                      "sme": rng.random() < 0.7},
        "event_date": _date(rng, 2022, 2025),
        "facts": _facts(item, rng, pools),
    }


def random_id(rng: random.Random, n=8) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))
