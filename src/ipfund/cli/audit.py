"""`ipfund audit verify|checkpoint|reconcile`: check the keyed audit chain against its checkpoint
outside the database; record that checkpoint; hold ledger, cap buckets, claims, payments and the
chain against each other. Exit 1 naming every problem found."""

from __future__ import annotations

import argparse

ACTIONS = {
    "verify": "校验审计链（含数据库外的检查点）",
    "checkpoint": "校验后把审计链头写入数据库外的检查点",
    "reconcile": "对账：台账、上限额度、申报审定金额、拨付与审计链逐项核对",
}


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=list(ACTIONS), help="；".join(f"{k}：{v}" for k, v in ACTIONS.items()))
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from ipfund.web.audit import services

    if args.action == "verify":
        result = services.audit_verify()
        if result.ok:
            print("OK " + result.message)
            return 0
        print(f"BROKEN 审计链有 {len(result.problems)} 处不符：" if len(result.problems) > 1 else "BROKEN " + result.message)
        for line in result.problems if len(result.problems) > 1 else ():
            print("  " + line)
        return 1
    if args.action == "checkpoint":
        try:
            print("OK " + services.audit_checkpoint())
        except ValueError as exc:
            print("BROKEN " + str(exc))
            return 1
        return 0
    from ipfund.web.reconcile import audit_reconcile

    reconciled = audit_reconcile()
    if reconciled.ok:
        print("OK " + reconciled.message)
        return 0
    print(f"DIFFERENCES 发现 {len(reconciled.differences)} 处不一致：")
    for line in reconciled.differences:
        print("  " + line)
    return 1
