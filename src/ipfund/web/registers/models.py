"""Registers, their versions (each import), their rows, clerks' name resolutions, and proposals.

A register is one list the bureau keeps: the enterprise register (一企一档), an award list tied to
one claimable item (中国专利奖 winners → `china_patent_award`), or a plain list keyed by credit code
(a 失信 list, say). Every import is a new version with its own rows; nothing is overwritten, and
the rows of the newest version are what matching reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


class Register(models.Model):
    ENTERPRISES, AWARDS, LIST = "enterprises", "awards", "list"
    KINDS = {ENTERPRISES: "企业名录（一企一档）", AWARDS: "获奖（认定）名单", LIST: "按统一社会信用代码的名单"}

    kind = models.CharField(max_length=16, choices=list(KINDS.items()))
    code = models.SlugField(max_length=64, unique=True)  # what the CLI and the URLs name it by
    name = models.CharField(max_length=200)
    item = models.CharField(max_length=64, blank=True)  # an award list: the item its rows claim
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = "名单"
        verbose_name_plural = "名单"

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return self.KINDS.get(self.kind, self.kind)


class RegisterImport(models.Model):
    """One upload of a register: waiting for the clerk to confirm its column mapping, then imported
    as the register's next version (all its rows in one transaction, or none)."""

    MAPPING, IMPORTED = "mapping", "imported"
    STATES = {MAPPING: "待确认列映射", IMPORTED: "已导入"}

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="imports")
    version = models.PositiveIntegerField(null=True, blank=True)  # given on import: 1, 2, …
    state = models.CharField(max_length=16, choices=list(STATES.items()), default=MAPPING)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()  # the file as uploaded, kept with its version
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # column → field ("" for a column not read)
    rows = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["register", "version"], condition=models.Q(version__isnull=False),
                                    name="register_version_unique"),
        ]
        verbose_name = "名单导入"
        verbose_name_plural = "名单导入"

    @property
    def state_label(self) -> str:
        return self.STATES.get(self.state, self.state)


class RegisterRow(models.Model):
    """One row of one version: the fields the mapping read, the name as written and normalised,
    and the credit code it stands for (given, found, or chosen by a clerk)."""

    MATCHED, UNMATCHED, AMBIGUOUS, RESOLVED, IGNORED = "matched", "unmatched", "ambiguous", "resolved", "ignored"
    STATES = {
        MATCHED: "已匹配",
        UNMATCHED: "未匹配（待人工确认）",
        AMBIGUOUS: "有多个同名单位（待人工确认）",
        RESOLVED: "已人工确认",
        IGNORED: "已人工排除",
    }
    WAITING = (UNMATCHED, AMBIGUOUS)

    version = models.ForeignKey(RegisterImport, on_delete=models.PROTECT, related_name="register_rows")
    number = models.PositiveIntegerField()  # the row's number in the file (the header is row 1)
    data = models.JSONField(default=dict)  # field → value as read (dates ISO, enums as codes)
    name = models.CharField(max_length=300, blank=True)
    name_normal = models.CharField(max_length=300, blank=True, db_index=True)
    credit_code = models.CharField(max_length=18, blank=True, db_index=True)
    state = models.CharField(max_length=16, choices=list(STATES.items()), default=MATCHED)
    candidates = models.JSONField(default=list)  # [{credit_code, name, score}] offered to the clerk
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="register_row_unique")]
        indexes = [models.Index(fields=["version", "state"])]
        verbose_name = "名单行"
        verbose_name_plural = "名单行"

    @property
    def state_label(self) -> str:
        return self.STATES.get(self.state, self.state)


class NameResolution(models.Model):
    """A clerk's answer to "which enterprise is this name?", remembered for later imports."""

    name_normal = models.CharField(max_length=300, unique=True)
    credit_code = models.CharField(max_length=18)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(auto_now=True)


class MatchRun(models.Model):
    """One run of matching: who ran it, on which day's policies, what it proposed."""

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    on = models.DateField()
    policy = models.CharField(max_length=64, blank=True)  # "" for every policy in force
    proposed = models.PositiveIntegerField(default=0)
    unresolved = models.PositiveIntegerField(default=0)
    ineligible = models.PositiveIntegerField(default=0)
    left_out = models.JSONField(default=list)  # the rows not proposed, each with why (as `ipfund match` writes them)
    # The background job that ran it (jobs kind "match_run"; its number, the jobs app importing this
    # one and not the other way), None for a run from the command line.
    job_pk = models.PositiveIntegerField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class Proposal(models.Model):
    """A claim the platform proposes from a register row (免申即享). `key` is the claim's duplicate
    key in the ledger (or, for an item without one, the claim's own facts), unique: nothing is
    proposed twice. The claim, in state 待确认, exists once the enterprise has an account."""

    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="proposals")
    row = models.ForeignKey(RegisterRow, on_delete=models.PROTECT, related_name="proposals")
    key = models.CharField(max_length=500, unique=True)
    credit_code = models.CharField(max_length=18, db_index=True)
    name = models.CharField(max_length=300)
    policy = models.CharField(max_length=64)
    item = models.CharField(max_length=64)
    event_date = models.DateField()
    facts = models.JSONField(default=dict)
    amount = models.DecimalField(**MONEY)
    decision = models.JSONField(default=dict)
    claim = models.OneToOneField("claims.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="proposal")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "免申即享建议"
        verbose_name_plural = "免申即享建议"
