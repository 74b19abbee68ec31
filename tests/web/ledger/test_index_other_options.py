"""An award filed in the ledger's index under the names another interpretation option would use
must not count under the option in force (found while seeding bench/approval_latency.py).

A 2022 custody subsidy for service year 2023, its event in 2024, is filed under the service-year
bucket …|2023 (A23=fact_year, the default) and, for the other option, under …|2024. A later claim
for service year 2024 looks up …|2024 under fact_year and finds the 2023 award's other-option
filing there: the platform cuts it to 5,500 yuan, where `ipfund evaluate` with the same award as
history pays the full 10,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


from ipfund.web.claims.services import claim_estimate
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from tests.web.ledger.test_successor_policy import OLD, _claim, successor, two_rounds  # noqa: F401 - fixtures



def test_another_options_filing_does_not_count_under_the_option_in_force(staff, two_rounds, applicant):  # noqa: F811
    company = applicant("enterprise", sme=True)
    first = _claim(company, "custody_sme", policy=OLD, event_date=dt.date(2024, 3, 1),
                   facts={"service_year": 2023, "actual_cost": "9000"}, staff=staff, target="approved")
    assert first.approved_amount == Decimal("4500.00")
    later = flow.submitted_from_sample(company, sample("custody_sme"), policy=OLD, event_date=dt.date(2024, 12, 1),
                                       facts={"service_year": 2024, "actual_cost": "20000"})
    # Service year 2024 has nothing awarded yet: 50% of 20,000, the full 10,000 of the cap.
    assert claim_estimate(actor=staff.reviewer, claim=later).amount == Decimal("10000.00")
