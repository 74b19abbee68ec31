"""audit_record appends an event to the keyed hash chain; audit_verify walks the chain and holds
it against the checkpoint kept outside the database; audit_checkpoint writes that checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .actions import AuditAction
from .canonical import GENESIS_HASH, event_hash, normalise
from .checkpoint import CheckpointError, checkpoint_path, checkpoint_read, checkpoint_write
from .models import AuditEvent, AuditHead

VERIFY_OK = "审计链完整：共 {count} 条事件。"
VERIFY_BAD_HASH = "第 {seq} 条事件的内容与其哈希不符（被修改过）。"
VERIFY_BAD_LINK = "第 {seq} 条事件的前序哈希与第 {prev} 条事件不符（链断开）。"
VERIFY_GAP = "第 {seq} 条事件之前缺少事件（期望序号 {expected}）。"
VERIFY_BAD_HEAD = "审计链头记录最后一条为第 {head} 条，实际最后一条为第 {last} 条（尾部被删除或改动）。"
VERIFY_TRUNCATED = "审计检查点记录到第 {checkpoint} 条事件，数据库中只有 {count} 条（尾部被删除）。"
VERIFY_CHECKPOINT_MISMATCH = "第 {seq} 条事件与审计检查点不符（被改写）。"
VERIFY_NO_CHECKPOINT = "找不到审计检查点 {path}：无法确认审计链尾部未被删除（运行 ipfund audit checkpoint 建立）。"
VERIFY_CHECKPOINT_OK = "检查点第 {seq} 条一致。"
VERIFY_MANY = "审计链有 {n} 处不符：{problems}"
CHECKPOINT_BROKEN_CHAIN = "审计链不完整，不写检查点：{message}"
CHECKPOINT_WRITTEN = "已写入审计检查点：第 {seq} 条事件（{path}）。"


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.bulk_create([AuditHead(pk=1, seq=0, last_hash=GENESIS_HASH)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event. Call inside the service's transaction, as its last write, so the lock on
    the chain head is held only until commit."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user else (actor if isinstance(actor, str) else "public")
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_label=label,
            action=action.value if isinstance(action, AuditAction) else action,  # (the code, as stored before)
            object_type=object_type or "",
            object_id=str(object_id if object_id is not None else ""),
            before=normalise(before),
            after=normalise(after),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event.hashed_fields())
        event.save()
        AuditHead.objects.filter(pk=1).update(seq=event.seq, last_hash=event.hash)
    # After the commit, the head goes outside the database too; a failed write is logged, the
    # next commit or `ipfund audit checkpoint` writes it.
    transaction.on_commit(partial(checkpoint_write, event.seq, event.hash), robust=True)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    message: str
    broken_seq: int | None = None  # the first event that does not fit
    problems: tuple[str, ...] = ()  # every break found, in order (message names them all)
    broken: tuple[int, ...] = ()  # the events they concern


def _broken(count: int, problems: list[tuple[str, int | None]]) -> VerifyResult:
    texts = tuple(text for text, _ in problems)
    message = texts[0] if len(texts) == 1 else VERIFY_MANY.format(n=len(texts), problems="；".join(texts))
    seqs = tuple(seq for _, seq in problems if seq is not None)
    return VerifyResult(False, count, message, seqs[0] if seqs else None, texts, seqs)


def audit_verify(*, require_checkpoint: bool | None = None) -> VerifyResult:
    """Recompute every keyed hash and link in order and report every event that does not fit —
    after a break the walk goes on from the event as found, so one run names every rewritten,
    inserted or dropped event — then hold the chain against the checkpoint outside the database
    (a missing checkpoint fails when IPFUND_CHECKPOINT_REQUIRED, as in production)."""
    if require_checkpoint is None:
        require_checkpoint = settings.IPFUND_CHECKPOINT_REQUIRED
    try:
        checkpoint = checkpoint_read()
    except CheckpointError as exc:
        return VerifyResult(False, 0, str(exc), problems=(str(exc),))
    problems: list[tuple[str, int | None]] = []
    expected_prev, expected_seq, count, at_checkpoint = GENESIS_HASH, 1, 0, None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:  # events missing (or inserted) before this one: its link breaks too
            problems.append((VERIFY_GAP.format(seq=event.seq, expected=expected_seq), event.seq))
        elif event.prev_hash != expected_prev:
            problems.append((VERIFY_BAD_LINK.format(seq=event.seq, prev=event.seq - 1), event.seq))
        if event_hash(event.hashed_fields()) != event.hash:
            problems.append((VERIFY_BAD_HASH.format(seq=event.seq), event.seq))
        if checkpoint is not None and event.seq == checkpoint.seq:
            at_checkpoint = event.hash
        expected_prev, expected_seq, count = event.hash, event.seq + 1, count + 1
    last_seq = expected_seq - 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    if head_seq != last_seq or (head and head.last_hash != expected_prev):
        problems.append((VERIFY_BAD_HEAD.format(head=head_seq, last=last_seq), last_seq + 1))
    message = VERIFY_OK.format(count=count)
    if checkpoint is None:
        if require_checkpoint and count:
            problems.append((VERIFY_NO_CHECKPOINT.format(path=checkpoint_path()), None))
    elif checkpoint.seq > last_seq:
        problems.append((VERIFY_TRUNCATED.format(checkpoint=checkpoint.seq, count=count), last_seq + 1))
    elif at_checkpoint != checkpoint.hash:
        problems.append((VERIFY_CHECKPOINT_MISMATCH.format(seq=checkpoint.seq), checkpoint.seq))
    else:
        message += VERIFY_CHECKPOINT_OK.format(seq=checkpoint.seq)
    if problems:
        return _broken(count, problems)
    return VerifyResult(True, count, message)


def audit_checkpoint() -> str:
    """Verify the chain, then record its head outside the database; refuses a broken chain."""
    result = audit_verify(require_checkpoint=False)
    if not result.ok:
        raise ValueError(CHECKPOINT_BROKEN_CHAIN.format(message=result.message))
    head = AuditHead.objects.filter(pk=1).first()
    seq, last = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    checkpoint_write(seq, last)
    return CHECKPOINT_WRITTEN.format(seq=seq, path=checkpoint_path())
