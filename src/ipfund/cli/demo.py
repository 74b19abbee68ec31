"""`ipfund demo`: migrate and load the demo data set, then print the accounts to sign in with."""

from __future__ import annotations

import argparse
import sys


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


DEMO_REFUSED_PRODUCTION = "拒绝载入演示数据：当前为生产环境（IPFUND_PRODUCTION=1）。演示账户的密码是公开打印的，不能进入生产数据库。"
DEMO_REFUSED_REAL_DATA = "拒绝载入演示数据：该数据库已有非演示账户（{count} 个），演示数据只能载入空数据库或演示数据库。"


def demo_refusal() -> str | None:
    """Why the demo must not be loaded here: a production deployment, or a database with real accounts."""
    from django.conf import settings

    from ipfund.web.accounts.models import User
    from ipfund.web.demo import flow

    if settings.PRODUCTION:
        return DEMO_REFUSED_PRODUCTION
    users = User.objects.all()
    if users.exists() and not users.filter(username="admin", email="admin@ipfund.local").exists():
        return DEMO_REFUSED_REAL_DATA.format(count=users.exclude(username__in=list(flow.STAFF_PASSWORDS)).count())
    return None


LOADING = "正在载入演示数据（约需一分钟，请稍候）…"
STEP_LINE = "  [{n}/{total}] {step}"


def load_and_report(out=sys.stdout, on_step=None) -> int:
    """Load the demo, printing each step as it begins (and telling ``on_step(step)``, the waiting
    page of `ipfund serve --demo`), then the summary and the accounts."""
    from django.core.exceptions import ValidationError
    from django.test.utils import override_settings

    from ipfund.web.demo import flow
    from ipfund.web.demo.loader import load_demo

    refusal = demo_refusal()
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    def progress(n: int, total: int, step: str) -> None:
        print(STEP_LINE.format(n=n, total=total, step=step), file=out, flush=True)
        if on_step is not None:
            on_step(f"{step}（第 {n} 步，共 {total} 步）")

    try:
        # The demo's hundreds of notifications stay in the application, not on the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            if not _loaded_before():
                print(LOADING, file=out, flush=True)
            summary = load_demo(progress=progress)
    except ValidationError as exc:
        # Loaded before: the accounts are still the demo's (unless someone changed them).
        print(exc.messages[0], file=out)
        _accounts(out, dict(flow.STAFF_PASSWORDS), flow.APPLICANT_PASSWORD)
        return 0
    print(f"演示数据已载入：{summary.applicants} 个申报主体，{summary.claims} 件申报。", file=out)
    print("各状态申报数：" + state_counts(summary.states), file=out)
    _accounts(out, summary.staff_passwords, summary.applicant_password)
    return 0


def _loaded_before() -> bool:
    from ipfund.web.accounts.models import User

    return User.objects.exists()


def state_counts(states: dict[str, int]) -> str:
    """``{"approved": 3, "draft": 7}`` as 审定通过 3 件，草稿 7 件, in the workflow's order."""
    from ipfund.web.claims.workflow import State

    return "，".join(f"{State(s).label} {states[s]} 件" for s in State.values if states.get(s))


def _accounts(out, staff_passwords: dict, applicant_password: str) -> None:
    from ipfund.web.accounts.roles import ROLE_LABELS
    from ipfund.web.demo import flow

    print("登录账户（用户名 / 密码 / 角色）：", file=out)
    for username, password in staff_passwords.items():
        role = "、".join(ROLE_LABELS[r] for r in flow.STAFF_ROLES.get(username, []))
        print(f"  {username:<10} {password:<22} {role}", file=out)
    print(f"  {'applicant':<10} {applicant_password:<22} {ROLE_LABELS['applicant']}（其他申报人账户密码相同）", file=out)


def run(args) -> int:
    from ._django import migrate, setup

    setup(args.data_dir)
    migrate()
    return load_and_report()
