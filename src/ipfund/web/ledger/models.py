"""AwardEntry (insert-only; a revocation is a reversing entry, a partial cut a reducing one),
DuplicateKey, CapBucket, LedgerName."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
LEDGER_INSERT_ONLY = "资助台账只能追加记录；撤销须写入冲销记录。"


class LedgerInsertOnlyError(Exception):
    pass


class AwardEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerInsertOnlyError(LEDGER_INSERT_ONLY)

    def delete(self):
        raise LedgerInsertOnlyError(LEDGER_INSERT_ONLY)


class InsertOnly(models.Model):
    """A row written once: saving it again or deleting it is refused (the database's triggers refuse
    it too, audit/insert_only.py)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerInsertOnlyError(LEDGER_INSERT_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerInsertOnlyError(LEDGER_INSERT_ONLY)


class AwardEntry(InsertOnly):
    # A grant; its reversal (the whole net taken back, the duplicate key freed); a reduction (part
    # of it taken back while the award stands: a pro-rata cut, a cancelled installment, a recovery
    # in proportion). Several reductions may cut one grant; a grant's net stays above zero until
    # a reversal takes the rest.
    GRANT, REVERSAL, REDUCTION = "grant", "reversal", "reduction"

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="award_entries")
    applicant = models.ForeignKey("accounts.ApplicantProfile", on_delete=models.PROTECT, related_name="award_entries")
    policy = models.CharField(max_length=64)
    item = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=[(GRANT, "资助"), (REVERSAL, "冲销"), (REDUCTION, "核减")])
    amount = models.DecimalField(**MONEY)  # positive for a grant, negative for its reversal or a reduction
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reduces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reductions")
    # The contract claim as judged when granted: the engine's history reads it back verbatim.
    claim_data = models.JSONField()
    duplicate_key = models.CharField(max_length=400, blank=True)
    cap_groups = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AwardEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["policy", "item"]),
            # A budget's committed amount (budgets.selectors): a policy's grants approved in a year
            # read as a range, with their amounts (an index-only scan on PostgreSQL) …
            models.Index(fields=["policy", "created_at"], include=["kind", "amount"], name="award_policy_approved"),
            # … less the policy's reversals and reductions, few, each joined to its grant.
            models.Index(fields=["policy"], condition=Q(kind="reversal"), name="award_reversals_of_policy"),
            models.Index(fields=["policy"], condition=Q(kind="reduction"), name="award_reductions_of_policy"),
        ]
        constraints = [
            # A claim is funded at most once.
            models.UniqueConstraint(fields=["claim"], condition=Q(kind="grant"), name="award_one_grant_per_claim"),
            models.CheckConstraint(
                condition=(Q(kind="grant", amount__gt=0, reverses__isnull=True, reduces__isnull=True))
                | Q(kind="reversal", amount__lt=0, reverses__isnull=False, reduces__isnull=True)
                | Q(kind="reduction", amount__lt=0, reverses__isnull=True, reduces__isnull=False),
                name="award_sign_matches_kind",
            ),
        ]
        verbose_name = "资助台账记录"
        verbose_name_plural = "资助台账记录"


class DuplicateKey(models.Model):
    """The thing an award funds (a patent, a case, an applicant's year…); held while the award stands."""

    policy = models.CharField(max_length=64)
    item = models.CharField(max_length=64)
    key = models.CharField(max_length=400)
    entry = models.ForeignKey(AwardEntry, on_delete=models.PROTECT, related_name="duplicate_keys")
    released_by = models.ForeignKey(AwardEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "item", "key"], condition=Q(released_by__isnull=True), name="duplicate_key_held_once"
            ),
        ]


class CapBucket(models.Model):
    """What a cap group (an SME's service year, a project, an applicant's venue…) has used of its cap."""

    policy = models.CharField(max_length=64)
    item = models.CharField(max_length=64)
    group = models.CharField(max_length=400)
    cap = models.DecimalField(**MONEY)
    used = models.DecimalField(default=0, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "item", "group"], name="cap_bucket_unique"),
            models.CheckConstraint(condition=Q(used__lte=models.F("cap")), name="cap_bucket_within_cap"),
            models.CheckConstraint(condition=Q(used__gte=0), name="cap_bucket_not_negative"),
        ]


class LedgerName(InsertOnly):
    """Every name an award is filed under — its duplicate keys and buckets, under the options in
    force and under every other option that would file it elsewhere — with the award's amount (a
    reversal files the same names with the amount negated). A decision looks its keys and buckets
    up here by name (indexed): a key is held while its net is positive, a bucket holds its net.
    Insert-only, like the entries it indexes."""

    KEY, BUCKET = "key", "bucket"

    kind = models.CharField(max_length=6, choices=[(KEY, "重复资助键"), (BUCKET, "累计额度")])
    name = models.CharField(max_length=400)
    entry = models.ForeignKey(AwardEntry, on_delete=models.PROTECT, related_name="names")
    amount = models.DecimalField(**MONEY)

    objects = AwardEntryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["kind", "name"], name="ledger_name_lookup")]
        verbose_name = "台账索引"
        verbose_name_plural = "台账索引"


class AwardTotal(models.Model):
    """The ledger's net amount (in fen) and grants by policy, item, round (0: none), applicant
    kind and year and month of approval — kept by a trigger on the ledger in each entry's own
    transaction (ledger/totals.py); never written by the platform itself. The dashboard sums
    these few rows instead of grouping every award."""

    policy = models.CharField(max_length=64)
    item = models.CharField(max_length=64)
    round_key = models.IntegerField()
    applicant_kind = models.CharField(max_length=32)
    year = models.IntegerField()
    month = models.IntegerField()
    fen = models.BigIntegerField(default=0)
    grants = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "item", "round_key", "applicant_kind", "year", "month"],
                                               name="award_total_key")]
        verbose_name = "资助台账汇总"
        verbose_name_plural = "资助台账汇总"
