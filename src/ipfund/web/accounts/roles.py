"""The roles of the platform and the one test of whether a user holds one."""

from __future__ import annotations

APPLICANT = "applicant"
REVIEWER = "reviewer"  # 初审
APPROVER = "approver"  # 审定
FINANCE = "finance"  # 财务
ADMIN = "admin"  # 管理员

ROLE_LABELS = {
    APPLICANT: "申报单位/个人",
    REVIEWER: "初审人员",
    APPROVER: "审定人员",
    FINANCE: "财务人员",
    ADMIN: "管理员",
}
STAFF_ROLES = (REVIEWER, APPROVER, FINANCE, ADMIN)

# Roles one account may never hold together (职责分离): who pays never judges a claim, and an
# applicant's account never works as staff (a staff member applies through a separate account).
FINANCE_WITH_JUDGING = "财务人员不能同时担任初审或审定人员（职责分离），请分设账号。"
APPLICANT_WITH_STAFF = "申报单位/个人的账号不能同时担任工作人员角色，工作人员请另设账号。"
INCOMPATIBLE = (
    ({FINANCE, REVIEWER}, FINANCE_WITH_JUDGING),
    ({FINANCE, APPROVER}, FINANCE_WITH_JUDGING),
    *(({APPLICANT, role}, APPLICANT_WITH_STAFF) for role in STAFF_ROLES),
)


def incompatible(role_list) -> str | None:
    """The reason ``role_list`` may not be held by one account, or None when it may."""
    held = set(role_list)
    for pair, reason in INCOMPATIBLE:
        if pair <= held:
            return reason
    return None


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if role == ADMIN and user.is_superuser:
        return True
    return role in (user.roles or [])


def is_staff_member(user) -> bool:
    return any(has_role(user, role) for role in STAFF_ROLES)
