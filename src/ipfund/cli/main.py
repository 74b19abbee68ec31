"""Entry point of the `ipfund` command. Sub-commands are imported only when chosen, so that
`ipfund evaluate` starts without loading Django or anything else it does not need."""

from __future__ import annotations

import argparse
import importlib
import sys

#: sub-command → (module, one-line help)
COMMANDS = {
    "evaluate": ("ipfund.cli.evaluate", "按合同格式计算资助决定（JSON 批次或 JSONL 大批量）"),
    "explain": ("ipfund.cli.explain", "打印一项决定的计算说明"),
    "policy": ("ipfund.cli.policy", "查看或检查政策包（条款、项目、参数、解释）"),
    "serve": ("ipfund.cli.serve", "运行申报平台（默认 SQLite）"),
    "demo": ("ipfund.cli.demo", "载入演示数据"),
    "audit": ("ipfund.cli.audit", "审计链校验、检查点与对账（verify、checkpoint、reconcile）"),
    "rekey": ("ipfund.cli.rekey", "用最新密钥重新加密个人信息"),
    "backup": ("ipfund.cli.backup", "备份数据库、上传文件和审计检查点"),
    "restore": ("ipfund.cli.restore", "从备份恢复到空数据库"),
    "uploads": ("ipfund.cli.uploads", "上传文件维护（sweep：清理无记录的孤立文件和过期的暂存文件）"),
    "exports": ("ipfund.cli.exports", "导出文件维护（sweep：删除超过保留期限的导出文件）"),
    "register": ("ipfund.cli.register", "导入名单（企业名录、获奖名单）为新版本；打印名单模板的列"),
    "match": ("ipfund.cli.match", "免申即享：名单与现行政策匹配，输出建议（JSON 行）和未处理的行"),
    "sandbox": ("ipfund.cli.sandbox", "政策沙盘：按情景（参数、解释口径、政策包草案）重算并与现行规则比较，不改动台账"),
    "manage": ("ipfund.cli.manage", "Django 管理命令（migrate、createsuperuser …）"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="ipfund", description="ipfund — 知识产权资助政策计算与申报平台")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        if argv and argv[0] not in ("-h", "--help"):
            parser.print_usage(sys.stderr)
            print(f"ipfund: error: unknown command {argv[0]!r}", file=sys.stderr)
            return 2
        parser.print_help()
        return 0
    module_name, help_text = COMMANDS[argv[0]]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            print(f"ipfund: command {argv[0]!r} is not available in this installation", file=sys.stderr)
            return 2
        raise
    except Exception as exc:
        if _stale_build(exc):
            print(f"ipfund: {exc}", file=sys.stderr)
            return 2
        raise
    cmd_parser = argparse.ArgumentParser(prog=f"ipfund {argv[0]}", description=help_text)
    module.add_parser(cmd_parser)
    args = cmd_parser.parse_args(argv[1:])
    try:
        return int(module.run(args) or 0)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if _stale_build(exc):
            print(f"ipfund: {exc}", file=sys.stderr)
            return 2
        raise


def _stale_build(exc: Exception) -> bool:
    """The compiled reader refused as older than its source (the engine is imported only when a
    command needs it, so its error class is looked up only if it was)."""
    engine = sys.modules.get("ipfund.engine")
    return engine is not None and isinstance(exc, engine.StaleBuild)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
