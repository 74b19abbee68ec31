"""audit_record appends an event to the hash chain; audit_verify walks the chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .canonical import GENESIS_HASH, event_hash, normalise
from .models import AuditEvent, AuditHead

VERIFY_OK = "审计链完整：共 {count} 条事件。"
VERIFY_BAD_HASH = "第 {seq} 条事件的内容与其哈希不符（被修改过）。"
VERIFY_BAD_LINK = "第 {seq} 条事件的前序哈希与第 {prev} 条事件不符（链断开）。"
VERIFY_GAP = "第 {seq} 条事件之前缺少事件（期望序号 {expected}）。"
VERIFY_BAD_HEAD = "审计链头记录最后一条为第 {head} 条，实际最后一条为第 {last} 条（尾部被删除或改动）。"


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.bulk_create([AuditHead(pk=1, seq=0, last_hash=GENESIS_HASH)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor: Any,
    action: str,
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
            action=action,
            object_type=object_type or "",
            object_id=str(object_id if object_id is not None else ""),
            before=normalise(before),
            after=normalise(after),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event.hashed_fields())
        event.save()
        AuditHead.objects.filter(pk=1).update(seq=event.seq, last_hash=event.hash)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    message: str
    broken_seq: int | None = None


def audit_verify() -> VerifyResult:
    """Recompute every hash and link in order; report the first event that does not fit."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(False, count, VERIFY_GAP.format(seq=event.seq, expected=expected_seq), event.seq)
        if event.prev_hash != expected_prev:
            return VerifyResult(False, count, VERIFY_BAD_LINK.format(seq=event.seq, prev=event.seq - 1), event.seq)
        if event_hash(event.hashed_fields()) != event.hash:
            return VerifyResult(False, count, VERIFY_BAD_HASH.format(seq=event.seq), event.seq)
        expected_prev, expected_seq, count = event.hash, event.seq + 1, count + 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    if head_seq != count or (head and head.last_hash != expected_prev):
        return VerifyResult(False, count, VERIFY_BAD_HEAD.format(head=head_seq, last=count), count + 1)
    return VerifyResult(True, count, VERIFY_OK.format(count=count))
