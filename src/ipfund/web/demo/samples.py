"""One eligible claim per item of 肇高管办〔2022〕2号: who may claim it, when, with which facts.

Used by the demo loader and by the tests, so both exercise every item the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ipfund.web.accounts.idgen import make_uscc


@dataclass(frozen=True)
class Sample:
    item: str
    kind: str  # the applicant kind that claims it
    event_date: dt.date
    facts: dict
    sme: bool = False


def _clients(n: int) -> list[str]:
    return [make_uscc("enterprise", 9000 + i) for i in range(n)]


def sample(item: str, variant: int = 0) -> Sample:
    """An eligible claim of ``item``; ``variant`` changes the identifying facts (patent, case,
    project, year…) so several samples of one item do not share a duplicate key."""
    v = variant
    d = dt.date(2023, 6, 1) + dt.timedelta(days=v)
    table = {
        "contest_match": Sample("contest_match", "enterprise", d, {"contest_year": 2021 + v % 3, "standing": "top50", "contest_award_amount": "200000"}),
        "ip_strong_enterprise": Sample("ip_strong_enterprise", "enterprise", d, {"title": ["provincial_demonstration", "national_advantage", "national_demonstration"][v % 3]}),
        "china_patent_award": Sample("china_patent_award", "enterprise", d, {"patent_number": f"ZL2019100{v:05d}.2", "level": "gold"}),
        "guangdong_patent_award": Sample("guangdong_patent_award", "enterprise", d, {"patent_number": f"ZL2020200{v:05d}.X", "level": "silver"}),
        "guangdong_outstanding_inventor": Sample("guangdong_outstanding_inventor", "person", d, {"award_year": 2021 + v % 3}),
        "song_qingling_award": Sample("song_qingling_award", "person", d, {"level": "gold", "award_year": 2023, "work": f"智能垃圾分类箱{v}"}),
        "guangdong_youth_invention_award": Sample("guangdong_youth_invention_award", "person", d, {"level": "first", "award_year": 2023, "work": f"节水灌溉装置{v}"}),
        "ip_education_school": Sample("ip_education_school", "school", d, {"level": ["pilot", "demonstration"][v % 2]}),
        "ip_university": Sample("ip_university", "university", d, {"level": ["pilot", "demonstration"][v % 2]}),
        "navigation_industry_procurement": Sample("navigation_industry_procurement", "service_agency", d, {"project_id": f"DH-CY-2023-{v:03d}", "contract_amount": "280000", "brand_institution": True}),
        "navigation_enterprise": Sample("navigation_enterprise", "enterprise", d, {"project_id": f"DH-QY-2023-{v:03d}", "actual_cost": "120000", "accepted": True, "higher_level_funded": False}),
        "ip_operation_match": Sample("ip_operation_match", "institution", d, {"project_id": f"YY-2023-{v:03d}", "funding_level": "provincial", "funding_amount": "300000"}),
        "patent_alliance": Sample("patent_alliance", "social_org", d, {"alliance_id": f"LM-{v:03d}", "review_passed": True}),
        "patent_litigation": Sample("patent_litigation", "enterprise", d, {"case_number": f"（2023）粤73民初{1000 + v}号", "venue": "domestic", "infringement_established": True, "judgment_effective": True}),
        "custody_sme": Sample("custody_sme", "enterprise", d, {"service_year": 2021 + v % 3, "actual_cost": "6000"}, sme=True),
        "custody_provider": Sample("custody_provider", "service_agency", d, {"sme_clients": _clients(12 + 10 * (v % 3))}),
        "ipms_certification": Sample("ipms_certification", "enterprise", d, {"stage": ["initial", "surveillance_1", "surveillance_2", "recertification"][v % 4], "first_cycle": True, "city_applied": True, "actual_cost": "30000", "city_subsidy": "10000"}),
        "agency_establishment": Sample("agency_establishment", "service_agency", dt.date(2023, 3, 2), {"kind": "branch", "registered_on": "2022-03-01", "cnipa_approved": True, "commitment_3y": True}),
        "service_revenue": Sample("service_revenue", "service_agency", d, {"year": 2021 + v % 3, "ip_service_revenue": "2500000"}),
        "patent_attorney": Sample("patent_attorney", "person", d, {"passed_exam": True, "employed_in_zone": True, "contract_years": 3}),
        "ipms_auditor": Sample("ipms_auditor", "person", d, {"ccaa_registered": True, "full_time": True, "local_resident": True}),
    }
    return table[item]
