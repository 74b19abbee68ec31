"""Documents that tell the truth (issue 21 item 1), each finding replayed and the PDF read back
with pdftotext, page by page: the account a payment went to as recorded with it, the notice's
objections and how each was resolved, a document number per kind and year from the settings, the
full issuing authority, the seal block on the page of its text, no engine computation in the
letter (an annex carries it), totals in capitals on the payment list and the receipt."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.documents.decision_letter import ANNEX_TITLE, NO_OBJECTION
from ipfund.web.documents.models import IssuedDocument
from ipfund.web.notices.services import notice_close, notice_publish, objection_file, objection_resolve
from ipfund.web.payments import services as payments
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.review.services import approval_approve, review_recommend

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (apt-get install poppler-utils)"),
]

AUTHORITY = "肇庆高新区经济贸易和科技局"
NEW_ACCOUNT = "6217000000001234560"


def pages(data: bytes, tmp_path) -> list[str]:
    """The text of each page, whitespace removed (Chinese lines wrap anywhere)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    out = []
    for n in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        out.append(re.sub(r"\s+", "", text))
    return out


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def letter(claim, tmp_path) -> list[str]:
    return pages(download(client_for(claim.applicant.user), f"/claims/{claim.pk}/decision-letter.pdf"), tmp_path)


@pytest.fixture
def numbering(settings):
    settings.IPFUND_DOCUMENT_NUMBERS = {
        "decision_letter": "测资决〔{year}〕{serial}号", "notice": "测公示〔{year}〕{serial:03d}号", "payment_list": "测拨〔{year}〕{serial}号",
    }


@pytest.fixture
def final(enterprise, open_round, staff):
    claim = flow.advance(flow.submitted_from_sample(enterprise, sample("custody_sme")), "approved", staff)
    flow.publish_and_finalize(staff, claims=[claim])
    claim.refresh_from_db()
    return claim


def test_a_letter_printed_after_payment_names_the_account_paid_not_the_one_changed_to_later(final, staff, tmp_path):
    paid_to = final.applicant.bank_account
    payment = payments.payment_record(actor=staff.finance, claim=final, paid_on=timezone.localdate(), reference="ZF-2026-0088")
    # afterwards the applicant changes its account, and a second person confirms it
    applicant_profile_update(actor=final.applicant.user, profile=final.applicant, bank_name="中国建设银行肇庆分行",
                             bank_account=NEW_ACCOUNT, bank_holder=final.applicant.name)
    change = BankAccountChange.objects.filter(state="pending").first()
    if change is not None:
        payments.bank_change_confirm(actor=staff.finance, change=change)
    final.applicant.refresh_from_db()
    assert final.applicant.bank_account == NEW_ACCOUNT
    text = "".join(letter(final, tmp_path))
    assert f"已于{payment.paid_on.year}年{payment.paid_on.month}月{payment.paid_on.day}日拨付至你单位的银行账户" in text
    assert f"****{paid_to[-4:]}" in text and "ZF-2026-0088" in text and "中国工商银行肇庆分行" in text
    assert NEW_ACCOUNT[-4:] not in text and "中国建设银行" not in text and "将拨付至" not in text
    assert paid_to not in text  # masked


def test_a_letter_before_payment_names_no_account(final, tmp_path):
    text = "".join(letter(final, tmp_path))
    assert "由财务部门按规定拨付至你单位在平台登记并经复核的银行账户" in text
    assert final.applicant.bank_account[-4:] not in text


def test_a_letter_states_each_objection_and_how_it_was_resolved(enterprise, open_round, staff, tmp_path, applicant):
    """The finding replayed: "公示期满无异议" printed although an objection was filed and dismissed."""
    claim = flow.advance(flow.submitted_from_sample(enterprise, sample("custody_sme")), "approved", staff)
    quiet = flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme", 1)), "approved", staff)
    notice = notice_publish(actor=staff.reviewer2, claims=[claim, quiet])
    entry = notice.entries.get(claim=claim)
    first = objection_file(entry=entry, name="李女士", contact="li@example.cn", reason="怀疑该单位重复申报。")
    second = objection_file(entry=entry, name="王先生", contact="13712345678", reason="托管合同日期不符。")
    objection_resolve(actor=staff.reviewer2, objection=first, upheld=False, resolution="经核查未重复申报，异议不成立。")
    objection_resolve(actor=staff.reviewer2, objection=second, upheld=False, resolution="合同日期与发票一致。")
    with flow.clock_at(notice.ends_at + timezone.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer2, notice=notice)
    claim.refresh_from_db()
    text = "".join(letter(claim, tmp_path))
    assert "无异议" not in text
    assert "公示期内收到异议2件：" in text
    first.refresh_from_db()
    second.refresh_from_db()
    assert f"异议（编号{first.reference}）异议不成立：经核查未重复申报，异议不成立" in text
    assert f"异议（编号{second.reference}）异议不成立：合同日期与发票一致" in text
    assert "李女士" not in text and "13712345678" not in text  # objectors are not named in the letter
    published = timezone.localtime(notice.published_at)
    assert f"于{published.year}年{published.month}月{published.day}日至" in text
    quiet.refresh_from_db()
    assert NO_OBJECTION in "".join(letter(quiet, tmp_path))


def test_documents_carry_a_number_per_kind_and_year_from_the_settings(numbering, open_round, staff, applicant, tmp_path):
    year = timezone.localdate().year
    claims = [flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme", i)), "approved", staff)
              for i in range(2)]
    notice = flow.publish_and_finalize(staff)
    for c in claims:
        c.refresh_from_db()
    first, second = (letter(c, tmp_path)[0] for c in claims)
    assert f"测资决〔{year}〕1号" in first and f"测资决〔{year}〕2号" in second
    assert f"测资决〔{year}〕1号" in letter(claims[0], tmp_path)[0]  # a reprint keeps its number
    notice_text = "".join(pages(download(Client(), f"/notices/{notice.pk}/pdf/"), tmp_path))
    assert f"测公示〔{year}〕001号" in notice_text  # its own sequence and the pattern's format
    finance = client_for(staff.finance)
    lists = [pages(download(finance, "/staff/finance/payment-list.pdf"), tmp_path)[0] for _ in range(2)]
    assert f"测拨〔{year}〕1号" in lists[0] and f"测拨〔{year}〕2号" in lists[1]  # issued afresh each time
    assert IssuedDocument.objects.filter(kind="decision_letter").count() == 2


def test_the_issuing_authority_is_the_full_name_with_the_zone(final, staff, tmp_path, settings):
    assert AUTHORITY in "".join(letter(final, tmp_path))
    settings.IPFUND_ISSUING_AUTHORITY = "肇庆高新技术产业开发区经济贸易和科技局"
    text = "".join(pages(download(client_for(staff.finance), "/staff/finance/payment-list.pdf"), tmp_path))
    assert "肇庆高新技术产业开发区经济贸易和科技局" in text


def test_the_seal_block_stays_on_the_page_of_its_text_and_the_computation_is_an_annex(enterprise, open_round, staff, tmp_path):
    """The finding replayed: authority, date and seal alone on page 2; computation in the letter."""
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    # a long reason makes the letter long enough that its seal block reaches the page's end
    reason = "经核查，部分发票开具日期早于托管服务合同签订日期，该部分费用不属于本次托管服务费用，不予计入。" * 9
    claim = review_recommend(actor=staff.reviewer, claim=claim, amount=Decimal("2500.00"), reason=reason)
    approval_approve(actor=staff.approver, claim=claim)
    flow.publish_and_finalize(staff)
    claim.refresh_from_db()
    text_pages = letter(claim, tmp_path)
    annex = next(i for i, p in enumerate(text_pages) if ANNEX_TITLE.replace(" ", "") in p)
    letter_pages, annex_pages = text_pages[:annex], text_pages[annex:]
    sealed = [p for p in letter_pages if "（盖章）" in p]
    assert len(sealed) == 1
    assert AUTHORITY in sealed[0] and "由财务部门按规定拨付" in sealed[0]  # the text it seals is on its page
    assert not any("（盖章）" in p for p in annex_pages)
    body = "".join(letter_pages)
    assert "6000.00元×50%" not in body and "计算说明" not in body
    assert "6000.00元×50%" in "".join(annex_pages) and annex_pages[0].startswith(ANNEX_TITLE.replace(" ", ""))
    assert "2,500.00元" in body and "贰仟伍佰元整" in body


def test_a_long_notice_title_is_printed_whole(open_round, staff, applicant, tmp_path):
    flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "approved", staff)
    title = "肇庆高新区2026年第二批知识产权专项资金（含中小微企业知识产权托管补助、专利代理师资助）拟资助名单公示"
    notice = notice_publish(actor=staff.reviewer, title=title)
    path = tmp_path / "notice.pdf"
    path.write_bytes(download(Client(), f"/notices/{notice.pk}/pdf/"))
    # only the text inside the page (595 × 842 points) counts: a title running off the edge is lost
    inside = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "595", "-H", "842", str(path), "-"],
                            capture_output=True, text=True, check=True).stdout
    assert title in re.sub(r"\s+", "", inside)


def test_the_payment_list_totals_in_capitals_and_says_what_is_held(open_round, staff, applicant, tmp_path):
    claims = [flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme", i)), "approved", staff)
              for i in range(3)]
    flow.publish_and_finalize(staff)
    payments.payment_fail(actor=staff.finance, claim=claims[0], reason="收款账户已销户")
    text = "".join(pages(download(client_for(staff.finance), "/staff/finance/payment-list.pdf"), tmp_path))
    assert "合计3笔，金额人民币9,000.00元（大写：玖仟元整）" in text
    assert "其中可即拨付2笔，金额人民币6,000.00元（大写：陆仟元整）" in text
    assert AUTHORITY in text and "制表人" in text
    # the held award says why in its row (read as the table's cells, not as the page's lines)
    path = tmp_path / "list.pdf"
    path.write_bytes(download(client_for(staff.finance), "/staff/finance/payment-list.pdf"))
    raw = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    assert "暂停拨付：" in raw and "收款账户已销户" in raw and raw.count("首次拨付") == 2


def test_the_receipt_gives_the_submitted_estimate_in_capitals(enterprise, open_round, tmp_path):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    text = "".join(pages(download(client_for(enterprise), f"/claims/{claim.pk}/receipt.pdf"), tmp_path))
    assert "人民币3,000.00元（大写：叁仟元整）（按申报信息测算，不代表审定结果）" in text
    assert AUTHORITY in text
