"""The Chinese manual's pictures (docs/manual/img/), taken in a real browser on the demo data, one
role after another, and checks of what they show: the pages the manual describes exist and answer,
the statistics charts' labels are readable (none overlapping another, none cut off by the chart's
edge), and every picture the manual refers to is one this test takes.

A run writes its pictures to test-artifacts/manual/, so the tests leave the source tree as they found
it; to refresh the manual's pictures after a page changes, run
`IPFUND_MANUAL_REFRESH=1 pytest tests/e2e/test_manual.py` (then they are written to docs/manual/img/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ipfund.web.demo import flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANUAL = Path(__file__).resolve().parents[2] / "docs" / "manual"
IMG = MANUAL / "img"
#: Where a run writes its pictures: the manual's own folder only when asked to refresh it.
OUT = IMG if os.environ.get("IPFUND_MANUAL_REFRESH") == "1" else Path(__file__).resolve().parents[2] / "test-artifacts" / "manual"
VIEWPORT = {"width": 1200, "height": 760}

# (role's manual, username, [(picture, path or callable giving the path)])
TOUR = [
    ("申请人", "applicant", [
        ("applicant-eligible", "/me/eligible/"),
        ("applicant-claims", "/me/claims/"),
        ("applicant-claim", lambda d: f"/me/claims/{d['own_claim']}/"),
        ("applicant-profile", "/me/profile/"),
        ("applicant-notifications", "/notifications/"),
    ]),
    ("初审人员", "reviewer", [
        ("reviewer-queue", "/staff/review/"),
        ("reviewer-claim", lambda d: f"/staff/claims/{d['submitted']}/"),
        ("reviewer-notices", "/staff/notices/"),
        ("reviewer-objections", "/staff/objections/"),
    ]),
    ("审定人员", "approver", [
        ("approver-queue", "/staff/approval/"),
        ("approver-claim", lambda d: f"/staff/claims/{d['recommended']}/"),
        ("approver-history", lambda d: f"/staff/claims/{d['recommended']}/history/"),
    ]),
    ("财务人员", "finance", [
        ("finance-queue", "/staff/finance/"),
        ("finance-exports", "/staff/exports/"),
    ]),
    ("管理员", "admin", [
        ("admin-rounds", "/staff/admin/rounds/"),
        ("admin-budgets", "/staff/admin/budgets/"),
        ("admin-users", "/staff/admin/users/"),
        ("admin-user-name", lambda d: f"/staff/admin/users/{d['reviewer']}/roles/"),
        ("admin-policies", "/staff/admin/policies/"),
        ("admin-statistics", "/staff/statistics/"),
    ]),
    ("通用", "reviewer", [
        ("common-password", "/accounts/password/"),
        ("common-mfa", "/accounts/mfa/setup/"),
    ]),
]


@pytest.fixture
def demo(settings):
    from ipfund.web.accounts.models import User
    from ipfund.web.claims.models import Claim
    from ipfund.web.demo.loader import load_demo

    settings.CELERY_BROKER_URL = ""
    load_demo()
    applicant = User.objects.get(username="applicant")
    mine = Claim.objects.filter(applicant__user=applicant)
    own = next(c for state in ("paid", "final", "in_notice", "returned", "submitted", "draft")
               for c in mine.filter(state=state).order_by("id")[:1])
    return {
        "own_claim": own.pk,
        "submitted": Claim.objects.filter(state="submitted").order_by("id").first().pk,
        "recommended": Claim.objects.filter(state="recommended").order_by("id").first().pk,
        "reviewer": User.objects.get(username="reviewer").pk,
    }


def small(picture: Path) -> None:
    """The picture in 256 colours (a page's flat colours lose nothing visible): a third of the bytes."""
    from PIL import Image

    with Image.open(picture) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(picture, optimize=True)


def sign_in(page, username: str) -> None:
    password = flow.STAFF_PASSWORDS.get(username, flow.APPLICANT_PASSWORD)
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1 and \
        a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1


def label_problems(page, chart_id: str) -> list[str]:
    """Axis labels of one chart that overlap another or stick out of the chart's box."""
    chart = page.locator(f"#{chart_id}")
    box = chart.bounding_box()
    labels = []
    for text in chart.locator("svg text").all():
        content = (text.text_content() or "").strip()
        rect = text.bounding_box()
        if content and rect and rect["width"] > 0:
            labels.append((content, rect))
    found = []
    for content, rect in labels:
        if rect["x"] < box["x"] - 1 or rect["x"] + rect["width"] > box["x"] + box["width"] + 1:
            found.append(f"{chart_id}: “{content}” cut off at the chart's edge")
        if content.endswith("...") or content.endswith("…"):
            found.append(f"{chart_id}: “{content}” shortened")
    for i, (c1, r1) in enumerate(labels):
        for c2, r2 in labels[i + 1:]:
            if overlaps(r1, r2):
                found.append(f"{chart_id}: “{c1}” overlaps “{c2}”")
    return found


def test_the_manuals_pictures_and_readable_charts(new_context, demo):
    OUT.mkdir(parents=True, exist_ok=True)
    taken = set()
    for _manual, username, stops in TOUR:
        page = new_context()
        page.set_viewport_size(VIEWPORT)
        sign_in(page, username)
        for name, where in stops:
            path = where(demo) if callable(where) else where
            response = page.goto(path)
            assert response is not None and response.status == 200, (username, path)
            if name == "admin-statistics":
                page.wait_for_selector("#chart-item svg text")
                page.wait_for_timeout(800)  # the charts' entry animation
                problems = [p for chart in ("chart-month", "chart-item", "chart-kind", "chart-states", "chart-budgets")
                            for p in label_problems(page, chart)]
                assert not problems, "\n".join(problems)
            picture = OUT / f"{name}.png"
            page.screenshot(path=str(picture))
            small(picture)
            taken.add(name)
        page.context.close()
    referenced = set()
    for manual in MANUAL.glob("*.md"):
        referenced |= set(re.findall(r"\(img/([\w-]+)\.png\)", manual.read_text(encoding="utf-8")))
    assert referenced, "the manual refers to no picture"
    assert referenced <= taken, f"pictures the manual refers to that no test takes: {sorted(referenced - taken)}"
    assert {p.stem for p in IMG.glob("*.png")} <= taken, "a picture in docs/manual/img that no test takes"
