"""PDF documents read back with pdftotext: receipt, public notice, decision letter, payment list."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_submit
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.documents.decision_letter import readable_steps
from ipfund.web.documents.layout import rmb_capitals
from ipfund.web.notices.services import notice_publish
from ipfund.web.engine_door import default_policy
from ipfund.web.review.services import approval_approve, review_recommend

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (apt-get install poppler-utils)")


def pdf_text(data: bytes, tmp_path, name="doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def fonts_embedded(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[2:]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.fixture
def awards(applicant, open_round, staff):
    """A person's award and a company's award, both approved."""
    person = applicant("person", name="张三丰")
    company = applicant("enterprise", sme=True, name="肇庆星湖新材料有限公司")
    return [
        flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff),
        flow.advance(flow.submitted_from_sample(company, sample("custody_sme")), "approved", staff),
    ]


def test_rmb_capitals():
    assert rmb_capitals(Decimal("3000")) == "叁仟元整"
    assert rmb_capitals(Decimal("3999.99")) == "叁仟玖佰玖拾玖元玖角玖分"
    assert rmb_capitals(Decimal("100005.00")) == "壹拾万零伍元整"
    assert rmb_capitals(Decimal("1000000")) == "壹佰万元整"
    assert rmb_capitals(Decimal("20000.05")) == "贰万元零伍分"
    assert rmb_capitals(Decimal("0")) == "零元整"


def test_letter_steps_carry_no_codes_and_no_full_id_numbers():
    steps = readable_steps([
        "依据 肇高管办〔2022〕2号三「…」",
        "项目：专利代理师资助（patent_attorney）",
        "  参数 custody_sme.rate（比例；四（一）；自 2022-01-18 起施行） = 50%",
        "上限：同一申请人（440101199001011234）最高 10000.00 元",
        "适用解释 A10=event_date：…",
        "✓ 事件日期在政策有效期内",
    ])
    assert steps == ["参数（比例；四（一）；自 2022-01-18 起施行） = 50%", "上限：同一申请人（44**************34）最高 10000.00 元", "√ 事件日期在政策有效期内"]


def test_submission_gets_a_yearly_reference_and_a_receipt(enterprise, open_round, staff, tmp_path, applicant):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    other = flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme", 1))
    year = timezone.localdate().year
    assert claim.reference == f"ZQGX-{year}-000001"
    assert other.reference == f"ZQGX-{year}-000002"
    data = download(client_for(enterprise), f"/claims/{claim.pk}/receipt.pdf")
    text = pdf_text(data, tmp_path)
    assert "申报受理回执" in text and claim.reference in text
    assert "中小微企业知识产权托管补助" in text and "托管服务合同" in text
    assert default_policy().document_number in text
    assert "custody_sme" not in text
    fonts = fonts_embedded(data, tmp_path)
    assert fonts and all(" yes " in line for line in fonts)
    # staff may print it; another applicant learns nothing
    assert client_for(staff.reviewer).get(f"/claims/{claim.pk}/receipt.pdf").status_code == 200
    assert client_for(other.applicant.user).get(f"/claims/{claim.pk}/receipt.pdf").status_code == 404


def test_returned_claim_keeps_its_reference(enterprise, open_round, staff):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    reference = claim.reference
    flow.advance(claim, "returned", staff)
    claim = claim_submit(actor=enterprise, claim=Claim.objects.get(pk=claim.pk))
    assert claim.reference == reference


def test_notice_pdf_lists_units_and_persons_apart(awards, staff, tmp_path):
    notice = notice_publish(actor=staff.reviewer)
    response = Client().get(f"/notices/{notice.pk}/")
    assert f"/notices/{notice.pk}/pdf/".encode() in response.content
    data = download(Client(), f"/notices/{notice.pk}/pdf/")
    text = pdf_text(data, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", notice.title) in flat
    units, persons = flat.index("一、拟资助单位"), flat.index("二、拟资助个人")
    assert units < flat.index("肇庆星湖新材料有限公司") < persons < flat.index("张*丰")
    assert "张三丰" not in flat and awards[0].applicant.id_number not in flat
    assert "三、公示期" in flat and f"公示期{notice.period_days}天" in flat
    assert "四、异议方式" in flat and "提出异议" in flat
    assert default_policy().document_number in flat
    assert "区经济贸易和科技局" in flat and "（盖章）" in flat
    assert "共2项，拟资助金额合计8,000.00元" in flat and flat.count("合计1项") == 2
    fonts = fonts_embedded(data, tmp_path)
    assert fonts and all(" yes " in line for line in fonts)


def test_decision_letter_once_final(awards, staff, tmp_path):
    claim = awards[1]
    owner = client_for(claim.applicant.user)
    assert owner.get(f"/claims/{claim.pk}/decision-letter.pdf").status_code == 404  # not final yet
    flow.publish_and_finalize(staff)
    page = owner.get(f"/me/claims/{claim.pk}/")
    assert f"/claims/{claim.pk}/decision-letter.pdf".encode() in page.content
    text = re.sub(r"\s+", "", pdf_text(download(owner, f"/claims/{claim.pk}/decision-letter.pdf"), tmp_path))
    assert "知识产权专项资金资助决定书" in text and claim.reference in text
    assert "肇庆星湖新材料有限公司：" in text
    assert "3,000.00元" in text and "叁仟元整" in text
    assert "四（一）" in text and "按实际发生费用的50%予以补助" in text
    assert "计算说明" in text and "6000.00元×50%" in text
    assert "custody_sme" not in text and "A10" not in text and "event_date" not in text
    assert "（盖章）" in text
    assert client_for(staff.approver).get(f"/claims/{claim.pk}/decision-letter.pdf").status_code == 200


def test_decision_letter_states_a_reduction_and_its_reason(enterprise, open_round, staff, tmp_path):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    claim = review_recommend(actor=staff.reviewer, claim=claim, amount=Decimal("2500.00"), reason="部分发票不属于托管服务费用")
    approval_approve(actor=staff.approver, claim=claim)
    flow.publish_and_finalize(staff)
    text = re.sub(r"\s+", "", pdf_text(download(client_for(enterprise), f"/claims/{claim.pk}/decision-letter.pdf"), tmp_path))
    assert "2,500.00元" in text and "贰仟伍佰元整" in text
    assert "按政策计算金额为3,000.00元，经审核核定为2,500.00元" in text
    assert "部分发票不属于托管服务费用" in text


def test_payment_list_for_finance_only_and_audited(awards, staff, tmp_path):
    flow.publish_and_finalize(staff)
    assert client_for(staff.reviewer).get("/staff/finance/payment-list.pdf").status_code == 403
    finance = client_for(staff.finance)
    assert b"/staff/finance/payment-list.pdf" in finance.get("/staff/finance/").content
    text = re.sub(r"\s+", "", pdf_text(download(finance, "/staff/finance/payment-list.pdf"), tmp_path))
    assert "知识产权专项资金拨付清单" in text and "合计2笔" in text and "8,000.00" in text
    assert awards[1].applicant.bank_account not in text and awards[1].applicant.bank_account[-4:] in text
    event = AuditEvent.objects.filter(action="document_payment_list").get()
    assert event.actor == staff.finance and event.after["count"] == 2
