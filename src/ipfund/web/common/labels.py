"""Display names for the portal: claim states, reasons, roles, enum options, and masking of personal data.

Msgids are Chinese (the default language); ``locale/en`` translates them to English.
"""


from django.utils.translation import gettext_lazy as _

from ipfund.web.engine_door import BatchError, known_policies, policy_by_id, policy_named

STATUS_LABELS = {  # the same words as claims.workflow.State, translatable here
    "draft": _("草稿"),
    "submitted": _("已提交（待初审）"),
    "returned": _("退回补正"),
    "recommended": _("初审推荐（待审定）"),
    "approved": _("审定通过"),
    "in_notice": _("公示中"),
    "final": _("公示期满（待拨付）"),
    "paid": _("已拨付"),
    "rejected": _("不予资助"),
    "withdrawn": _("已撤回"),
    "revoked": _("已撤销（异议成立）"),
    "payment_failed": _("拨付失败（待重新拨付）"),
    "proposed": _("待确认"),
    "declined": _("已放弃（放弃声明）"),
    "partly_paid": _("部分拨付（余款待条件满足）"),
    "closed": _("已结案（余款取消）"),
}

REASON_LABELS = {
    # (no dates here: each policy has its own validity, which the decision's explanation states)
    "outside_validity": _("事件日期不在政策有效期内"),
    "not_in_zone": _("申请人不在高新区内"),
    "applicant_kind": _("申请人类型不符合该项目"),
    "not_sme": _("申请人不是中小微企业"),
    "condition_not_met": _("不满足政策规定的条件"),
    "funded_elsewhere": _("已获其他资金支持，不重复资助"),
    "below_threshold": _("未达到奖励门槛"),
    "duplicate": _("重复申报（同一事项已获奖励）"),
    "cap_reached": _("已达到政策规定的最高金额"),
}

ROLE_LABELS = {  # the same words as accounts.roles.ROLE_LABELS, translatable here
    "applicant": _("申报单位/个人"),
    "reviewer": _("初审人员"),
    "approver": _("审定人员"),
    "finance": _("财务人员"),
    "admin": _("管理员"),
}

# Chinese names of the enum values of the contract's facts. A fact-specific entry
# ("fact.value") wins over the plain value.
OPTION_LABELS = {
    "winner": _("获奖单位"),
    "top50": _("五十强"),
    "top100": _("百强"),
    "national_demonstration": _("国家知识产权示范企业"),
    "national_advantage": _("国家知识产权优势企业"),
    "provincial_demonstration": _("省知识产权示范企业"),
    "gold": _("金奖"),
    "silver": _("银奖"),
    "bronze": _("铜奖"),
    "excellence": _("优秀奖"),
    "organization": _("组织奖"),
    "best_design": _("最佳设计奖"),
    "first": _("一等奖"),
    "second": _("二等奖"),
    "third": _("三等奖"),
    "gardener": _("园丁奖"),
    "pilot": _("试点"),
    "demonstration": _("示范"),
    "national": _("国家级"),
    "provincial": _("省级"),
    "city": _("市级"),
    "foreign": _("外国（地区）"),
    "domestic": _("中国内地"),
    "initial": _("初次认证"),
    "surveillance_1": _("第一次监督审核"),
    "surveillance_2": _("第二次监督审核"),
    "recertification": _("再认证"),
    "agency": _("新设代理机构"),
    "branch": _("分支机构"),
    "brand_branch": _("品牌机构分支机构"),
}

KIND_ORDER = (
    "enterprise",
    "service_agency",
    "school",
    "university",
    "institution",
    "social_org",
    "person",
)


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def option_label(fact, value: str) -> str:
    """The Chinese name of an enum value: the policy's own label first, then ours."""
    own = (getattr(fact, "option_labels", None) or {}).get(value)
    if own:
        return own
    label = OPTION_LABELS.get(value)
    return str(label) if label else value


def _kind_labels(policy=None) -> dict[str, str]:
    """A policy's names of applicant kinds, or (no policy) every installed policy's, the policies
    in force first (registration asks for a kind before any policy is chosen)."""
    if policy is not None:
        from ipfund.web.common.policy import item_kinds

        claimable = {k for item in policy.items.values() for k in item_kinds(item)}
        return {k: v for k, v in policy.kind_labels.items() if k in claimable}
    from django.utils import timezone

    return dict(_installed_kind_labels(tuple(known_policies(timezone.localdate()))))


#: The last merge of installed policies' kind names, with the policies it was made from: reused while
#: the installed policies are the same objects (a package installed, changed or removed is a new
#: object: the engine keeps one per package id, path and store contents).
_MERGED: list = [(), {}]


def _installed_kind_labels(policies: tuple) -> dict[str, str]:
    """Every installed policy's names of applicant kinds, merged (a queue page names the kind of
    each of its fifty rows)."""
    made_from, merged = _MERGED
    if len(made_from) == len(policies) and all(a is b for a, b in zip(made_from, policies)):
        return merged
    out: dict[str, str] = {}
    for p in policies:
        for k, v in p.kind_labels.items():
            out.setdefault(k, v)
    _MERGED[:] = [policies, out]
    return out


def kind_label(kind: str, policy=None) -> str:
    return _kind_labels(policy).get(kind, kind)


def kind_choices(policy=None) -> list[tuple[str, str]]:
    known = _kind_labels(policy)
    ordered = [k for k in KIND_ORDER if k in known] + [k for k in known if k not in KIND_ORDER]
    return [(k, known[k]) for k in ordered]


def interpretation_label(policy_id: str, relied: str) -> str:
    """"A10=event_date" as the clause and the words of the option chosen, from the decision's own
    policy (a page still takes the codes out of the words: wording.for_people)."""
    iid, _sep, option = relied.partition("=")
    try:
        spec = policy_named(policy_id).interpretations[iid]
        return f"{spec.clause}：{spec.options[option]}"
    except (BatchError, KeyError):
        return relied


def item_title(item_id: str, policy_id: str | None = None) -> str:
    """An item's title in its own policy (`policy_id`), or — a bare item id — in the first
    installed policy holding it (in force first)."""
    if policy_id:
        policy = policy_by_id(policy_id)
        item = policy.items.get(item_id) if policy is not None else None
        return item.title if item else item_id
    for policy in known_policies():
        if item_id in policy.items:
            return policy.items[item_id].title
    return item_id


def version_label(version: str) -> str:
    """See templatetags.portal.policy_version."""
    import datetime as dt

    day, sep, digest = (version or "").partition("+")
    try:
        on = dt.date.fromisoformat(day)
    except ValueError:
        return version or "—"
    return f"{on.year}年{on.month}月{on.day}日版（校验码 {digest}）" if sep else f"{on.year}年{on.month}月{on.day}日版"
