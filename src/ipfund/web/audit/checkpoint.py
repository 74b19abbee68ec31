"""The audit chain's head kept outside the database: a small file (IPFUND_CHECKPOINT_DIR) naming
the last event's sequence number and hash, with an HMAC under the audit key so it cannot be
forged either. Written after each commit that appends to the chain (never moving backwards,
whatever order concurrent commits finish in) and by `ipfund audit checkpoint`; `audit verify`
then notices a chain that lost its tail, or whose last events were rewritten."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FILE_NAME = "audit-head.json"
CHECKPOINT_FORGED = "审计检查点文件 {path} 的校验码不符（被改动或不是本系统写的）。"
CHECKPOINT_UNREADABLE = "审计检查点文件 {path} 无法读取：{error}"


class CheckpointError(Exception):
    pass


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str


def checkpoint_path() -> Path:
    return Path(settings.IPFUND_CHECKPOINT_DIR) / FILE_NAME


def _mac(seq: int, head_hash: str) -> str:
    key = settings.IPFUND_AUDIT_KEY.encode("utf-8")
    return hmac.new(key, f"checkpoint\x00{seq}\x00{head_hash}".encode(), hashlib.sha256).hexdigest()


def checkpoint_read() -> Checkpoint | None:
    path = checkpoint_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        seq, head_hash, mac = int(data["seq"]), str(data["hash"]), str(data["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(CHECKPOINT_UNREADABLE.format(path=path, error=exc)) from None
    if not hmac.compare_digest(mac, _mac(seq, head_hash)):
        raise CheckpointError(CHECKPOINT_FORGED.format(path=path))
    return Checkpoint(seq, head_hash)


def checkpoint_write(seq: int, head_hash: str, *, force: bool = False) -> bool:
    """Record (seq, hash) unless a later head is recorded already (``force``: restore only).
    True when written."""
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force:
            try:
                current = checkpoint_read()
            except CheckpointError:
                current = None  # a damaged file is replaced by the true head
            if current is not None and current.seq >= seq:
                return False
        checkpoint_save(path, seq, head_hash)
    return True


def checkpoint_save(path: Path, seq: int, head_hash: str) -> None:
    """Write a checkpoint file at ``path`` (replacing it whole: a reader never sees half a file)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"seq": seq, "hash": head_hash, "mac": _mac(seq, head_hash)}), encoding="utf-8")
    os.replace(tmp, path)
