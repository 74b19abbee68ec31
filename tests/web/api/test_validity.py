"""Claim validity at its edges through the HTTP API and the round form, as ipfund.engine.validity
decides it for the CLI (tests/cli/test_validity.py): the first and last day, the register's
reading of the last day, a policy not yet in force, a successor's first day — in /api/evaluate's
decisions and /api/policies' states on those days — and a round that closes before its policy's
first day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.rounds.models import ApplicationRound
from tests.web.ledger.test_successor_policy import NEW, OLD, successor  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
SME = {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True}


def admitted(policy: str, day: str, **interpretations) -> bool:
    claim = {"id": "c1", "item": "custody_sme", "applicant": SME, "event_date": day,
             "facts": {"service_year": int(day[:4]), "actual_cost": "10000"}}
    body = {"policy": policy, "claims": [claim]}
    if interpretations:
        body["interpretations"] = interpretations
    response = Client().post("/api/evaluate", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return "outside_validity" not in response.json()["decisions"][0]["reasons"]


def states(monkeypatch, day: str) -> dict[str, tuple[str, str, str]]:
    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date.fromisoformat(day))
    return {p["id"]: (p["state"], p["valid_from"], p["valid_until"]) for p in Client().get("/api/policies").json()}


def test_first_and_last_day(monkeypatch):
    assert [admitted(OLD, d) for d in ("2022-01-17", "2022-01-18", "2025-01-17", "2025-01-18")] == [False, True, True, False]
    assert [states(monkeypatch, d)[OLD][0] for d in ("2022-01-17", "2022-01-18", "2025-01-17", "2025-01-18")] == [
        "not_yet", "in_force", "in_force", "expired"]
    assert states(monkeypatch, "2023-01-01")[OLD][1:] == ("2022-01-18", "2025-01-17")


def test_the_registers_reading_of_the_last_day():
    assert admitted(OLD, "2025-01-18", A10="civil_code_201") and not admitted(OLD, "2025-01-19", A10="civil_code_201")


def test_a_policy_not_yet_in_force(monkeypatch, successor):  # noqa: F811
    assert not admitted(NEW, "2024-06-01")
    assert states(monkeypatch, "2024-06-01")[NEW] == ("not_yet", "2025-01-18", "2027-01-17")


def test_a_successors_first_day(monkeypatch, successor):  # noqa: F811
    assert (admitted(OLD, "2025-01-17"), admitted(NEW, "2025-01-17")) == (True, False)
    assert (admitted(OLD, "2025-01-18"), admitted(NEW, "2025-01-18")) == (False, True)
    assert {k: v[0] for k, v in states(monkeypatch, "2025-01-18").items()} == {OLD: "expired", NEW: "in_force"}
    assert {k: v[0] for k, v in states(monkeypatch, "2025-01-17").items()} == {OLD: "in_force", NEW: "not_yet"}


def test_a_round_closing_before_its_policys_first_day_is_refused(staff, successor):  # noqa: F811
    admin = Client()
    admin.force_login(staff.admin)
    url = reverse("portal:admin_rounds") + f"?policy={NEW}"

    def post(name: str, closes: str):
        form = {"policy": NEW, "name": name, "opens_at": "2024-12-01T09:00", "closes_at": closes, "items": ["custody_sme"]}
        return admin.post(url, form)

    refused = post("过早批次", "2025-01-17T23:59")
    assert refused.status_code == 200 and "施行日期 2025-01-18" in refused.content.decode()
    assert not ApplicationRound.objects.filter(name="过早批次").exists()
    assert post("首日截止批次", "2025-01-18T17:00").status_code == 302
    assert ApplicationRound.objects.filter(name="首日截止批次", policy=NEW).exists()
