"""The 政策库 in everyday use (issue 21, item 9): an uploaded package retired by an administrator
(audited; refused while it has open rounds or undecided claims), and a package's page answering from
the kept result of its golden cases instead of running them on every view."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import Claim
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.rounds.services import round_create

from .test_policy_library import FIXTURE, SUCCESSOR, signed_in, upload, zipped

pytestmark = pytest.mark.django_db

PAGE = "portal:admin_policy"


@pytest.fixture
def uploaded(staff):
    client = signed_in(staff.admin)
    assert "已启用" in upload(client, zipped(FIXTURE))
    return client


def retire(client, reason="新政策已替代本政策") -> str:
    return client.post(reverse(PAGE, args=[SUCCESSOR]), {"reason": reason}, follow=True).content.decode()


def test_an_uploaded_package_is_retired_audited_and_takes_no_new_round(staff, uploaded):
    page = uploaded.get(reverse(PAGE, args=[SUCCESSOR])).content.decode()
    assert 'id="package-retire"' in page
    assert "请填写停用理由" in retire(uploaded, reason="")
    done = retire(uploaded)
    assert "政策包已停用" in done and 'id="package-retired"' in done and "陈立国" in done and 'id="package-retire"' not in done
    event = AuditEvent.objects.get(action="policy_package_retire")
    assert (event.actor, event.object_id, event.after["reason"]) == (staff.admin, SUCCESSOR, "新政策已替代本政策")
    assert "已停用" in uploaded.get(reverse("portal:admin_policies")).content.decode()
    assert "该政策包已于" in retire(uploaded)  # once only
    assert AuditEvent.objects.filter(action="policy_package_retire").count() == 1
    now = timezone.now()
    with pytest.raises(Exception) as err:
        round_create(actor=staff.admin, policy=SUCCESSOR, name="2027年第一批", opens_at=now, closes_at=now + dt.timedelta(days=30),
                     items=["china_patent_award"])
    assert "政策包已停用" in str(err.value)
    # the package stays installed: what was decided under it still reads it
    from ipfund.web.engine_door import policy_installed_ids

    assert SUCCESSOR in policy_installed_ids()


def test_retirement_is_refused_while_a_round_is_open_or_a_claim_undecided(staff, uploaded):
    now = timezone.now()
    rnd = round_create(actor=staff.admin, policy=SUCCESSOR, name="2026年试点批次", opens_at=now - dt.timedelta(days=1),
                       closes_at=now + dt.timedelta(days=30), items=["china_patent_award"])
    refused = retire(uploaded)
    assert "该政策还有 1 个未结束的申报批次（2026年试点批次），批次结束后才能停用。" in refused
    ApplicationRound.objects.filter(pk=rnd.pk).update(closes_at=now - dt.timedelta(hours=1), opens_at=now - dt.timedelta(days=2))
    from ipfund.web.demo import flow

    person = flow.new_applicant("enterprise")
    Claim.objects.create(applicant=person.applicant, policy=SUCCESSOR, item="china_patent_award", facts={}, event_date=now.date(),
                         state="submitted", round=rnd)
    assert "该政策还有 1 件尚未办结的申报" in retire(uploaded)
    assert not AuditEvent.objects.filter(action="policy_package_retire").exists()
    Claim.objects.filter(policy=SUCCESSOR).update(state="rejected")
    assert "政策包已停用" in retire(uploaded)


def test_a_built_in_package_cannot_be_retired(staff):
    client = signed_in(staff.admin)
    page = client.get(reverse(PAGE, args=["zhaoqing-hitech-ip-2022"])).content.decode()
    assert 'id="package-retire"' not in page
    refused = client.post(reverse(PAGE, args=["zhaoqing-hitech-ip-2022"]), {"reason": "试一下"}, follow=True).content.decode()
    assert "不能在此停用" in refused
    assert not AuditEvent.objects.filter(action="policy_package_retire").exists()
    assert signed_in(staff.reviewer).post(reverse(PAGE, args=[SUCCESSOR]), {"reason": "x"}).status_code == 403


def test_a_package_page_runs_its_golden_cases_once_per_content(staff, monkeypatch, tmp_path, settings):
    from ipfund.engine.authoring import golden

    monkeypatch.setenv("IPFUND_CACHE_DIR", str(tmp_path / "cache"))
    runs = []
    real = golden.run_cases

    def counted(policy, *args, **kwargs):
        runs.append(policy.id)
        return real(policy, *args, **kwargs)

    monkeypatch.setattr(golden, "run_cases", counted)
    client = signed_in(staff.admin)
    url = reverse(PAGE, args=["zhaoqing-hitech-ip-2022"])
    first = client.get(url).content.decode()
    assert "个案例全部通过" in first and runs == ["zhaoqing-hitech-ip-2022"]
    assert "zhaoqing-hitech-ip-2022：" not in first  # no package id before the summary
    again = client.get(url).content.decode()
    assert runs == ["zhaoqing-hitech-ip-2022"]  # answered from the kept result
    assert again.count("个案例全部通过") == first.count("个案例全部通过")
    # a package whose content changes is tested again
    store = tmp_path / "store"
    settings.IPFUND_POLICY_STORE = store
    store.mkdir()
    shutil.copytree(FIXTURE, store / SUCCESSOR)
    client.get(reverse(PAGE, args=[SUCCESSOR]))
    client.get(reverse(PAGE, args=[SUCCESSOR]))
    assert runs.count(SUCCESSOR) == 1
    source = store / SUCCESSOR / "source.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    from ipfund.web.engine_door import policy_library_changed

    policy_library_changed()
    client.get(reverse(PAGE, args=[SUCCESSOR]))
    assert runs.count(SUCCESSOR) == 2
