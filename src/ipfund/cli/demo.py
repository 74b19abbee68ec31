"""`ipfund demo`: migrate and load the demo data set, then print the accounts to sign in with."""

from __future__ import annotations

import argparse
import sys


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def load_and_report(out=sys.stdout) -> int:
    from django.core.exceptions import ValidationError
    from django.test.utils import override_settings

    from ipfund.web.demo import flow
    from ipfund.web.demo.loader import load_demo

    try:
        # The demo's hundreds of notifications stay in the application, not on the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            summary = load_demo()
    except ValidationError as exc:
        # Loaded before: the accounts are still the demo's (unless someone changed them).
        print(exc.messages[0], file=out)
        _accounts(out, dict(flow.STAFF_PASSWORDS), flow.APPLICANT_PASSWORD)
        return 0
    print(f"演示数据已载入：{summary.applicants} 个申报主体，{summary.claims} 件申报。", file=out)
    print("各状态申报数：" + "，".join(f"{k} {v}" for k, v in sorted(summary.states.items())), file=out)
    _accounts(out, summary.staff_passwords, summary.applicant_password)
    return 0


def _accounts(out, staff_passwords: dict, applicant_password: str) -> None:
    print("登录账户（用户名 / 密码）：", file=out)
    for username, password in staff_passwords.items():
        print(f"  {username:<10} {password}", file=out)
    print(f"  {'applicant':<10} {applicant_password}   （其他申报人账户密码相同）", file=out)


def run(args) -> int:
    from ._django import migrate, setup

    setup(args.data_dir)
    migrate()
    return load_and_report()
