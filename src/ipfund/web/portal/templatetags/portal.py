"""Template filters of the portal: money as ¥ with two decimals, status badges, masked personal data."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy as _

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.budgets.selectors import policy_title as budget_policy_title
from ipfund.web.notifications.selectors import unread_count as notifications_unread
from ipfund.web import masking
from ipfund.web.common import labels
from ipfund.web.portal import wording

register = template.Library()

FEN = Decimal("0.01")


@register.filter
def yuan(value) -> str:
    """Format an amount in yuan as ``¥1,234.50``; an empty value shows as a dash."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.simple_tag
def status_badge(status: str):
    """A coloured badge with the Chinese (or translated) name of a claim state."""
    return format_html(
        '<span class="badge badge-{}">{}</span>', status, labels.status_label(status)
    )


@register.filter
def status_label(status: str) -> str:
    return labels.status_label(status)


@register.filter
def kind_label(kind: str) -> str:
    return labels.kind_label(kind)


@register.filter
def item_title(row) -> str:
    """The item's title in the row's own policy (a claim, an award entry: anything with `policy`
    and `item`), or, for a bare item id, in the first installed policy holding it."""
    if isinstance(row, str):
        return labels.item_title(row)
    return labels.item_title(row.item, row.policy)


@register.filter
def policy_title(policy_id: str) -> str:
    return budget_policy_title(policy_id)


@register.filter
def policy_version(version: str) -> str:
    """A policy package's version as a person reads it: "2025-12-01+1a2b3c4d" (the latest document's
    date and a digest of the package) → 2025年12月1日版（校验码 1a2b3c4d）; a declared version as written."""
    return labels.version_label(version)


@register.filter
def reason_label(code: str) -> str:
    return labels.reason_label(code)


@register.filter
def explanation_lines(decision) -> list[str]:
    """A decision's explanation in the page's language (Chinese unless English is chosen)."""
    if decision is None or decision.explanation is None:
        return []
    return decision.explanation.render("en" if (get_language() or "").startswith("en") else "zh")


@register.filter
def interpretation_labels(decision) -> list[str]:
    """What each interpretation a decision relied on says, in words (never its code): its clause and
    the option chosen, from the decision's own policy."""
    return [labels.interpretation_label(decision.policy, relied) for relied in decision.interpretations]


@register.filter
def role_label(role: str) -> str:
    return labels.role_label(role)


@register.filter
def mask_name(name: str) -> str:
    return masking.mask_person_name(name)


@register.filter
def mask_account(account: str) -> str:
    return masking.mask_bank_account(account)


@register.filter
def mask_identifier(identifier: str) -> str:
    return masking.mask_id_number(identifier)


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` for dictionaries in templates."""
    if mapping is None:
        return None
    return mapping.get(key)


# Top-bar entries: (url name, label, role, roles or None for everyone). Roles come from accounts.roles.
NAV_ENTRIES = (
    ("portal:calculator", _("政策计算器"), None),
    ("portal:policy", _("政策一览"), None),
    ("portal:notices", _("公示公告"), None),
    ("portal:eligible", _("我可以申报什么"), roles.APPLICANT),
    ("portal:my_claims", _("我的申报"), roles.APPLICANT),
    ("promises:mine", _("我的承诺"), roles.APPLICANT),
    ("registers:direct", _("可直接享受"), roles.APPLICANT),
    ("registers:radar", _("政策雷达"), roles.APPLICANT),
    ("portal:profile", _("账户资料"), roles.APPLICANT),
    ("portal:review_queue", _("初审"), roles.REVIEWER),
    ("portal:objections", _("异议处理"), roles.REVIEWER),
    ("portal:installments_waiting", _("分期验收"), roles.REVIEWER),
    ("portal:approval_queue", _("审定"), roles.APPROVER),
    ("portal:allocation", _("资金分配"), (roles.APPROVER, roles.REVIEWER)),
    ("portal:notice_manage", _("公示管理"), roles.REVIEWER),
    ("portal:finance_queue", _("拨付"), roles.FINANCE),
    ("registers:registers", _("名单与免申即享"), (roles.REVIEWER, roles.ADMIN)),
    ("portal:statistics", _("统计"), (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)),
    ("portal:admin_rounds", _("申报批次"), roles.ADMIN),
    ("portal:admin_budgets", _("资金预算"), roles.ADMIN),
    ("portal:admin_users", _("用户与角色"), roles.ADMIN),
    ("portal:admin_role_changes", _("角色变更确认"), roles.ADMIN),
    ("portal:admin_reveal_log", _("查看记录"), roles.ADMIN),
    ("portal:admin_interpretations", _("解释口径"), roles.ADMIN),
    ("portal:admin_policies", _("政策库"), roles.ADMIN),
    ("sandbox:scenarios", _("政策沙盘"), (roles.FINANCE, roles.ADMIN)),
    ("portal:exports", _("导出与文书"), roles.STAFF_ROLES),
    ("complaints:new", _("投诉维权"), None),
    ("alliances:mine", _("专利联盟评审"), roles.APPLICANT),
    ("analysis:list", _("分析评议"), roles.STAFF_ROLES),
    ("complaints:list", _("投诉处理"), (roles.REVIEWER, roles.ADMIN)),
    ("promises:list", _("承诺与追回"), (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)),
    ("alliances:list", _("联盟评审"), roles.STAFF_ROLES),
)


@register.simple_tag(takes_context=True)
def portal_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    path = request.path if request else ""
    links = []
    for url_name, label, role in NAV_ENTRIES:
        needed = (role,) if isinstance(role, str) else role
        if needed is not None and not any(roles.has_role(user, r) for r in needed):
            continue
        url = reverse(url_name)
        active = " active" if path.startswith(url) else ""
        links.append(format_html('<a href="{}" class="navlink{}">{}</a>', url, active, label))
    return format_html_join("", "{}", ((link,) for link in links))


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notifications_unread(user)


@register.simple_tag
def who(user) -> str:
    """Who is signed in, as the header says it: the applicant's organisation (or person), or the
    staff member's name and roles — never only a login name."""
    profile = applicant_of(user)
    if profile is not None:
        return profile.name
    name = user.get_full_name() or user.get_username()
    shown = "、".join(labels.role_label(r) for r in (user.roles or []) if r != roles.APPLICANT)
    return f"{name}（{shown}）" if shown else name


@register.filter
def for_people(text) -> str:
    """An engine sentence without item, parameter, option or reason codes (portal/wording.py)."""
    return wording.for_people(str(text))


@register.filter
def decision_letter_ready(claim) -> bool:
    """Whether the claim's decision letter (资助决定书) can be issued: its notice period has passed."""
    from ipfund.web.documents.decision_letter import LETTER_STATES

    return claim.state in LETTER_STATES
