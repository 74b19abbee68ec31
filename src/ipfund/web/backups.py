"""Backups that restore: the database (SQLite's online backup API; pg_dump/pg_restore for
PostgreSQL), the uploaded files and the audit checkpoint, in one directory with a manifest of
every file's SHA-256; restore only into an empty database and an empty upload directory, after
checking the manifest, then verify the chain and reconcile."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from ipfund.web.audit.checkpoint import FILE_NAME as CHECKPOINT_FILE
from ipfund.web.audit.checkpoint import checkpoint_path, checkpoint_save

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
CHECKPOINT_DIR = "checkpoint"

DEST_NOT_EMPTY = "备份目录 {path} 已存在且不为空：请指定新的目录。"
NOT_A_BACKUP = "{path} 不是 ipfund 备份（缺少 manifest.json）。"
BACKUP_DAMAGED = "备份文件 {name} 已损坏或缺失（SHA-256 与清单不符）。"
WRONG_VENDOR = "该备份来自 {backup} 数据库，当前配置的是 {current}：请在相同类型的数据库上恢复。"
TARGET_NOT_EMPTY = "目标数据库不是空的（已有 {count} 张表）：恢复只写入空数据库。"
UPLOADS_NOT_EMPTY = "上传文件目录 {path} 不是空的：恢复只写入空目录。"
TOOL_MISSING = "找不到 {tool}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端（postgresql-client）。"
TOOL_TOO_OLD = "{tool} 的版本为 {tool_major}，数据库服务器为 {server_major}：须不低于服务器的主版本。"
TOOL_FAILED = "{tool} 失败：{message}"

VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    vendor: str
    counts: dict
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _counts() -> dict:
    from ipfund.web.audit.models import AuditEvent
    from ipfund.web.claims.models import Claim
    from ipfund.web.ledger.models import AwardEntry

    return {"claims": Claim.objects.count(), "ledger": AwardEntry.objects.count(), "audit": AuditEvent.objects.count()}


def _pg_params() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]  # type: ignore[literal-required]  # (as written before types were checked (issue 23: typed later))
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _pg_tool(tool: str) -> str:
    """The tool's path, once its major version is known to be at least the server's."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(TOOL_MISSING.format(tool=tool))
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)*", out)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    tool_major = int(match.group(1)) if match else 0
    if tool_major < server_major:
        raise BackupError(TOOL_TOO_OLD.format(tool=tool, tool_major=tool_major, server_major=server_major))
    return path


def _run(tool_path: str, args: list[str], env: dict) -> None:
    done = subprocess.run([tool_path, *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise BackupError(TOOL_FAILED.format(tool=Path(tool_path).name, message=done.stderr.strip()[:500]))


def make_private(root: Path) -> None:
    """Folders 0700, files 0600 under ``root`` (itself included): a backup holds the whole
    database, and copies keep the modes of what they copied (files written before the platform's
    umask, config/settings.py)."""
    root = Path(root)
    root.chmod(0o700)
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


def backup_create(dest: Path) -> BackupSummary:
    """Back up the running platform into the new directory ``dest``."""
    from ipfund.web.audit.models import AuditHead

    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(DEST_NOT_EMPTY.format(path=dest))
    dest.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    # The head as it is before the dump: the dump holds at least these events, so the checkpoint
    # fits the restored chain (events committed meanwhile come after it).
    head = AuditHead.objects.filter(pk=1).first()
    counts = _counts()
    if vendor == "postgresql":
        args, env = _pg_params()
        _run(_pg_tool("pg_dump"), ["--format=custom", "--no-owner", "--file", str(dest / PG_FILE), *args], env)
    else:
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        target = sqlite3.connect(dest / SQLITE_FILE)
        try:
            source.backup(target)  # a consistent copy while the platform goes on writing
        finally:
            target.close()
            source.close()
    # The files after the dump: every file a dumped row names was stored before its row committed.
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, dest / UPLOADS)
    (dest / CHECKPOINT_DIR).mkdir()
    if head is not None:
        checkpoint_save(dest / CHECKPOINT_DIR / CHECKPOINT_FILE, head.seq, head.last_hash)
    files = {
        str(p.relative_to(dest)): _sha256(p) for p in sorted(dest.rglob("*")) if p.is_file()
    }
    manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(), "vendor": vendor,
                "counts": counts, "files": files}
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    make_private(dest)
    uploads = sum(1 for name in files if name.startswith(UPLOADS + "/"))
    return BackupSummary(dest, vendor, counts, uploads)


def _manifest(src: Path) -> dict:
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(NOT_A_BACKUP.format(path=src)) from None
    for name, digest in manifest.get("files", {}).items():
        path = src / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(BACKUP_DAMAGED.format(name=name))
    return manifest


def backup_restore(src: Path) -> BackupSummary:
    """Restore the backup ``src`` into the configured (empty) database and upload directory."""
    src = Path(src)
    manifest = _manifest(src)
    vendor = connection.vendor
    if manifest.get("vendor") != vendor:
        raise BackupError(WRONG_VENDOR.format(backup=VENDOR_LABELS.get(manifest.get("vendor"), manifest.get("vendor")),  # type: ignore[arg-type]  # (an Optional not checked here, as before (issue 23: typed later))
                                              current=VENDOR_LABELS.get(vendor, vendor)))
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(TARGET_NOT_EMPTY.format(count=len(tables)))
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(UPLOADS_NOT_EMPTY.format(path=media))
    if vendor == "postgresql":
        args, env = _pg_params()
        _run(_pg_tool("pg_restore"), ["--no-owner", "--no-privileges", "--exit-on-error", *args, str(src / PG_FILE)], env)
    else:
        connection.close()
        source = sqlite3.connect(src / SQLITE_FILE)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    if (src / UPLOADS).is_dir():
        shutil.copytree(src / UPLOADS, media, dirs_exist_ok=True)
        make_private(media)
    saved = src / CHECKPOINT_DIR / CHECKPOINT_FILE
    if saved.is_file():
        checkpoint_path().parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, checkpoint_path())
    uploads = sum(1 for name in manifest["files"] if name.startswith(UPLOADS + "/"))
    return BackupSummary(src, vendor, _counts(), uploads)
