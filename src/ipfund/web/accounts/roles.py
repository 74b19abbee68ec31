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


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if role == ADMIN and user.is_superuser:
        return True
    return role in (user.roles or [])


def is_staff_member(user) -> bool:
    return any(has_role(user, role) for role in STAFF_ROLES)
