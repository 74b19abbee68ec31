"""User (with roles), ApplicantProfile (the verified applicant)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ipfund.web.masking import mask_bank_account, mask_credit_code, mask_id_number, mask_phone
from ipfund.web.pii.fields import EncryptedTextField, SealedRowModel

APPLICANT_KINDS = {
    "enterprise": "企业",
    "service_agency": "知识产权服务机构",
    "school": "中小学校",
    "university": "高等院校",
    "institution": "事业单位",
    "social_org": "社会组织",
    "person": "个人",
}


ERASED = "（已删除）"


class User(AbstractUser):
    roles = models.JSONField(default=list, blank=True)
    # The unified social credit code of the organisation a staff member belongs to (if it may
    # apply to the fund): separation of duties keeps them off that organisation's claims.
    affiliation = models.CharField(max_length=18, blank=True)
    # Set when an administrator chose the password: the first sign-in must replace it.
    password_change_required = models.BooleanField(default=False)
    # 姓名: a staff member's real name, set by an administrator; timelines, audit pages and
    # documents name the person by it (an applicant is named by its ApplicantProfile instead).
    real_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def get_full_name(self) -> str:
        """The person's real name (姓名), or the older first and last names when none was set."""
        return self.real_name or super().get_full_name()

    def shown_name(self) -> str:
        """How a page or a document names this person: the real name, else the login name."""
        return self.get_full_name() or self.get_username()


class ApplicantProfile(SealedRowModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applicant")
    kind = models.CharField(max_length=32, choices=list(APPLICANT_KINDS.items()))
    # Unified social credit code for organisations, resident ID number for persons; verified
    # with python-stdnum on registration and never changed afterwards. Encrypted (IPFUND_DATA_KEYS);
    # unique and found through its keyed blind index, which erasure clears.
    id_number = EncryptedTextField()
    id_number_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    # What the engine, the ledger and the audit chain know the applicant by: the credit code of an
    # organisation, a keyed pseudonym of a person (web/pii/pseudonyms.py); kept after erasure.
    ledger_identity = models.CharField(max_length=40, db_index=True, default="", editable=False)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    in_zone = models.BooleanField(default=True)
    sme = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=100, blank=True)
    contact_phone = EncryptedTextField(blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    bank_account = EncryptedTextField(blank=True)
    # Finds every profile paid into one account (a shared account is flagged to staff).
    bank_account_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    bank_holder = models.CharField(max_length=200, blank=True)  # 户名: the name the account is held in
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person's data was erased (PIPL): the encrypted numbers are blanked, the name
    # replaced; the ledger and the audit chain, which know only the pseudonym, stay as they were.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        # The queues sort by name; on PostgreSQL a trigram index (migration 0007) serves the search.
        indexes = [models.Index(fields=["name", "id"], name="applicant_name_order")]
        verbose_name = "申报主体"
        verbose_name_plural = "申报主体"

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    @property
    def masked_id_number(self) -> str:
        if self.erased_at is not None:
            return ERASED
        return mask_id_number(self.id_number) if self.is_person else mask_credit_code(self.id_number)

    @property
    def masked_bank_account(self) -> str:
        return mask_bank_account(self.bank_account)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class RoleChange(models.Model):
    """An administrator's change of someone's roles. One that grants a role waits (PENDING) until a
    second administrator — not the one who asked, not the person concerned — confirms it; one that
    only takes roles away applies at once (APPLIED). Either way audited and told to the admins."""

    PENDING, CONFIRMED, REJECTED, SUPERSEDED, APPLIED = "pending", "confirmed", "rejected", "superseded", "applied"
    STATES = {
        PENDING: "待确认",
        CONFIRMED: "已确认生效",
        REJECTED: "已驳回",
        SUPERSEDED: "已被新的变更取代",
        APPLIED: "已生效（仅收回角色，无需确认）",
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_changes")
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=16, choices=list(STATES.items()), default=PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)  # why it was rejected

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "角色变更"
        verbose_name_plural = "角色变更"

    @property
    def state_label(self) -> str:
        return self.STATES.get(self.state, self.state)


def _totp_default_key() -> str:
    return random_hex(20)


class StaffTOTPDevice(TimestampMixin, ThrottlingMixin, Device, SealedRowModel):
    """A staff member's authenticator (TOTP), as django-otp's TOTPDevice but with the secret key
    encrypted and sealed to its row (IPFUND_DATA_KEYS): whoever reads the database cannot make
    anyone's codes. The algorithm is django-otp's own (its methods are borrowed, not rewritten)."""

    key = EncryptedTextField(default=_totp_default_key)  # hex, 20 random bytes
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):
        verbose_name = "验证器"
        verbose_name_plural = "验证器"
