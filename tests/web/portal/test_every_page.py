"""Every page of the demo, as every role: no code, no raw JSON and no English default reaches a person.

The URLs come from the URL conf (every GET page of the portal, each filled with demo objects of
every state), so a new page is walked as soon as it is added — the test fails on a page it does
not know how to fill.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from ipfund.web.accounts.models import User
from ipfund.web.claims.models import Claim
from ipfund.web.demo.loader import load_demo
from ipfund.web.jobs.models import Job
from ipfund.web.notices.models import Notice, NoticeEntry, Objection
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.engine_door import default_policy, policy_installed_ids
from ipfund.web.rounds.models import ApplicationRound

pytestmark = pytest.mark.django_db(transaction=False)

# Pages that only answer POST, or hand back files rather than pages.
NOT_PAGES = {"claim_action", "claim_submit", "claim_withdraw", "notice_close", "notifications_read", "logout",
             "queue_batch", "finance_batch", "job_start", "evidence_file", "objection_file", "job_file",
             "notice_pdf", "claim_receipt", "decision_letter", "payment_list_pdf", "api_token_revoke",
             "admin_role_change_decide", "installment_outcome", "allocation_apply", "allocation_quota_fill",
             "allocation_quota_scores"}

ENGLISH_DEFAULTS = [
    "This field is required", "Enter a valid", "Select a valid choice", "Ensure this value", "Your password",
    "password is too", "Password", "Forbidden", "Not Found", "Server Error", "Page not found", "Django",
    "Please correct", "characters", "Currently:", "Change:", "Clear", "No file chosen", "None", "True", "False",
]


class _Text(HTMLParser):
    """The text a person reads: element text and the attributes read aloud or shown (not values)."""

    SHOWN_ATTRS = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SHOWN_ATTRS and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return html.unescape("\n".join(p.strip() for p in parser.parts if p.strip()))


def code_patterns() -> list[tuple[str, re.Pattern]]:
    policy = default_policy()
    items = "|".join(sorted(map(re.escape, policy.items), key=len, reverse=True))
    reasons = "cap_reached|below_threshold|outside_validity|not_in_zone|applicant_kind|not_sme|condition_not_met|funded_elsewhere|duplicate"
    states = "|".join(["draft", "submitted", "returned", "recommended", "approved", "in_notice", "final", "paid",
                       "rejected", "withdrawn", "revoked", "payment_failed"])
    return [
        ("item code", re.compile(rf"(?<![\w.-])({items})(?![\w-])")),
        ("interpretation code", re.compile(r"\bA\d{1,2}=")),
        ("option code", re.compile(r"\((top50|top100|per_edition|per_standing|top_up|independent|cumulative|per_year|policy_life|once|event_date|equivalent|strict_2013)\)|\b(per_edition|per_standing|top_up|policy_life|strict_2013|event_date)\b")),
        ("reason code", re.compile(rf"\b({reasons})\b")),
        ("cap or key with |", re.compile(r"\w+\|\w+")),
        ("audit action code", re.compile(r"\b(claim|evidence|payment|objection|notice|round|user|interpretation)_[a-z_]+\b")),
        ("raw JSON", re.compile(r'\{"|": ')),
        ("state code", re.compile(rf"\b({states})\b\s*\d")),
        ("actor as role：id", re.compile(r"\b(reviewer|approver|finance|admin|applicant)[：:]\s*\d")),
        ("doubled full stop", re.compile(r"。。")),
        ("parameter id", re.compile(r"\b[a-z]+(_[a-z0-9]+)+\.[a-z_]+\b")),
    ]


# Latin words a page may show: the language switch, file types and units, the authenticator apps a
# staff member installs, the reference series. Anything else in Latin letters is English (or a code)
# shown to a person. Tokens with a digit (references, credit codes, digests), e-mail addresses,
# paths (/api/), file extensions (.zip) and the text of <code> (a key, a header to type) pass.
LATIN_ALLOWED = {"English", "PDF", "JPEG", "PNG", "Excel", "CSV", "ZIP", "GBK", "MB", "KB", "GB", "GB/T", "SHA", "Microsoft",
                 "Google", "Authenticator", "ZQGX", "ZQGX-YY"}
LATIN_TOKEN = re.compile(r"[A-Za-z0-9@._/+-]*[A-Za-z]{2}[A-Za-z0-9@._/+-]*")


def latin_words(text: str, allowed=frozenset()) -> list[str]:
    """The Latin words of ``text`` no person should meet (``allowed``: the login names on the page)."""
    found = []
    for token in LATIN_TOKEN.findall(text):
        bare = token.strip(".-_/")
        if (bare in LATIN_ALLOWED or bare in allowed or any(ch.isdigit() for ch in token) or "@" in token
                or token.startswith(("/", ".")) or re.fullmatch(r"[\w-]+\.(pdf|jpe?g|png|zip|xlsx)", token, re.I)):
            continue
        found.append(bare)
    return found


def without_code(page: str) -> str:
    return re.sub(r"<code\b[^>]*>.*?</code>", "", page, flags=re.S)


def problems(text: str, patterns) -> list[str]:
    found = [f"{name}: {m.group(0)!r}" for name, rx in patterns if (m := rx.search(text))]
    found += [f"English: {e!r}" for e in ENGLISH_DEFAULTS if re.search(rf"\b{re.escape(e)}\b", text)]
    return found


def portal_pages() -> list:
    resolver = get_resolver()
    portal = [p for p in resolver.url_patterns if getattr(p, "namespace", None) == "portal"]
    patterns = [p for include in portal for p in include.url_patterns]
    return [p for p in patterns if p.name not in NOT_PAGES]


def one_per_state(qs):
    seen = {}
    for obj in qs.order_by("id"):
        seen.setdefault(obj.state, obj)
    return list(seen.values())


def _reset_link(user) -> dict:
    """The arguments of the link a password-reset mail carries for ``user``."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


def fillings(name: str, demo) -> list[dict]:
    """The keyword arguments to walk one URL name with, from the demo's objects."""
    claims = demo["claims"]
    with_args = {p.name for p in portal_pages() if p.pattern.converters}
    by_name = {
        "claim_new": [{"item": i} for i in default_policy().items],
        "claim_new_under": [{"policy": default_policy().id, "item": i} for i in default_policy().items],
        "claim_detail": [{"pk": c.pk} for c in claims],
        "claim_edit": [{"pk": c.pk} for c in claims if c.state in ("draft", "returned")],
        "claim_link": [{"pk": c.pk} for c in claims[:3]],
        "evidence_change": [
            {"pk": c.pk, "evidence_pk": e.pk} for c in claims if c.state in ("draft", "returned") for e in c.evidence.all()[:1]
        ],
        "staff_claim": [{"pk": c.pk} for c in claims if c.state != "draft"],
        "claim_audit": [{"pk": c.pk} for c in claims if c.state != "draft"],
        "finance_claim": [{"pk": c.pk} for c in claims if c.state in ("final", "paid", "payment_failed")],
        "notice_detail": [{"pk": n.pk} for n in Notice.objects.all()],
        "objection_new": [{"pk": e.notice_id, "entry_pk": e.pk} for e in NoticeEntry.objects.order_by("id")[:2]],
        "objection_detail": [{"pk": o.pk} for o in Objection.objects.all()],
        "admin_round_edit": [{"pk": r.pk} for r in ApplicationRound.objects.all()],
        "admin_user_roles": [{"pk": u.pk} for u in User.objects.order_by("id")[:3]],
        "account_change": [{"pk": c.pk} for c in BankAccountChange.objects.all()[:3]],
        "job_detail": [{"pk": j.pk} for j in Job.objects.all()[:3]],
        "admin_policy": [{"policy_id": pid} for pid in policy_installed_ids()],
        "password_reset_confirm": [_reset_link(User.objects.filter(applicant__isnull=False).order_by("id").first())],
    }
    assert set(by_name) >= with_args, f"no demo objects for {sorted(with_args - set(by_name))}: add them here"
    return by_name.get(name, [{}])


def test_every_page_as_every_role_shows_no_code_or_english(settings):
    settings.DEBUG = False
    load_demo()
    claims = one_per_state(Claim.objects.all())
    demo = {"claims": claims}
    owners = {c.applicant.user for c in claims}
    principals = {"anonymous": None, **{u.username: u for u in User.objects.filter(username__in=["reviewer", "approver", "finance", "admin"])}}
    principals.update({f"applicant {u.username}": u for u in owners})
    patterns = code_patterns()
    logins = frozenset(User.objects.values_list("username", flat=True))
    pages = portal_pages()
    assert len(pages) > 25
    failures, walked = [], 0
    for principal, user in principals.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for pattern in pages:
            for kwargs in fillings(pattern.name, demo):
                url = reverse(f"portal:{pattern.name}", kwargs=kwargs)
                response = client.get(url)
                walked += 1
                if response.status_code in (301, 302):
                    continue
                assert response.status_code in (200, 403, 404), (principal, url, response.status_code)
                page = response.content.decode()
                for problem in problems(visible_text(page), patterns):
                    failures.append(f"{principal} {url} [{response.status_code}] {problem}")
                for word in latin_words(visible_text(without_code(page)), logins):
                    failures.append(f"{principal} {url} [{response.status_code}] Latin word: {word!r}")
                if re.search(r"\bA\d{1,2}\b", visible_text(page)):
                    failures.append(f"{principal} {url} [{response.status_code}] an interpretation id (A1…)")
    assert walked > 300
    assert not failures, "\n".join(sorted(set(failures)))


def test_the_checks_catch_what_they_should():
    patterns = code_patterns()
    for bad in ["中小微企业知识产权托管补助（custody_sme）", "适用解释 A10=event_date", "五十强 (top50)", "原因：cap_reached",
                "custody_sme|91441200MA55K8T2X1|2023", "claim_draft_create", '{"a": 1}', "approved 3，draft 7",
                "reviewer：2", "已保存。。", "custody_sme.rate", "This field is required."]:
        assert problems(bad, patterns), bad
    for good in ["中小微企业知识产权托管补助", "受理编号 ZQGX-2026-000001", "¥10,000.00", "2026-08-20 10:00"]:
        assert not problems(good, patterns), good
    assert visible_text('<option value="custody_sme">托管</option><script>var x={"a": 1}</script>') == "托管"
    for bad in ["校验规则：Luhn", "IPFUND_POLICY_PATH 所指目录", "policy.yaml 缺少", "测试案例（golden）", "通过 API 查询",
                "申报人 applicant"]:
        assert latin_words(bad), bad
    for good in ["English", "受理编号 ZQGX-2026-000057", "91441200MA55K8T2X1", "li@example.cn", "上传 PDF 或 JPEG，最大 10 MB",
                 "地址 /api/", "证明材料.pdf", "用户名 admin"]:
        assert not latin_words(good, {"admin"}), good


#: The bureau's other apps, walked on the pages that need no object (their lists, forms and
#: indexes), as every role: the same checks as the portal's pages.
OTHER_APPS = ("registers", "complaints", "alliances", "analysis", "sandbox", "promises")


def other_app_pages() -> list[tuple[str, str]]:
    resolver = get_resolver()
    found = []
    for include in resolver.url_patterns:
        namespace = getattr(include, "namespace", None)
        if namespace not in OTHER_APPS:
            continue
        for p in include.url_patterns:
            if p.name and not p.pattern.converters and not any(k in p.name for k in ("file", "pdf", "export", "download")):
                found.append((namespace, p.name))
    return found


def test_the_bureaus_other_pages_as_every_role_show_no_code_or_english(settings):
    settings.DEBUG = False
    load_demo()
    principals = {"anonymous": None, **{u.username: u for u in User.objects.filter(username__in=["reviewer", "approver", "finance", "admin"])}}
    applicant = User.objects.filter(applicant__isnull=False).order_by("id").first()
    principals["applicant"] = applicant
    patterns = code_patterns()
    logins = frozenset(User.objects.values_list("username", flat=True))
    pages = other_app_pages()
    assert {ns for ns, _ in pages} == set(OTHER_APPS), pages
    failures, shown = [], 0
    for principal, user in principals.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for namespace, name in pages:
            url = reverse(f"{namespace}:{name}")
            response = client.get(url)
            if response.status_code in (301, 302, 405):
                continue
            assert response.status_code in (200, 403, 404), (principal, url, response.status_code)
            shown += response.status_code == 200
            text = visible_text(response.content.decode())
            for problem in problems(text, patterns):
                failures.append(f"{principal} {url} [{response.status_code}] {problem}")
            for word in latin_words(visible_text(without_code(response.content.decode())), logins):
                failures.append(f"{principal} {url} [{response.status_code}] Latin word: {word!r}")
    assert shown > len(OTHER_APPS)
    assert not failures, "\n".join(sorted(set(failures)))
