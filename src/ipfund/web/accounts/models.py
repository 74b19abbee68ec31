"""User (with roles), ApplicantProfile (the verified applicant), LoginFailure (throttling)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from ipfund.web.masking import mask_bank_account, mask_credit_code, mask_id_number, mask_phone

APPLICANT_KINDS = {
    "enterprise": "企业",
    "service_agency": "知识产权服务机构",
    "school": "中小学校",
    "university": "高等院校",
    "institution": "事业单位",
    "social_org": "社会组织",
    "person": "个人",
}


class User(AbstractUser):
    roles = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"


class ApplicantProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applicant")
    kind = models.CharField(max_length=32, choices=list(APPLICANT_KINDS.items()))
    # Unified social credit code for organisations, resident ID number for persons; verified
    # with python-stdnum on registration and never changed afterwards.
    id_number = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    in_zone = models.BooleanField(default=True)
    sme = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=100, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    bank_account = models.CharField(max_length=40, blank=True)
    bank_holder = models.CharField(max_length=200, blank=True)  # 户名: the name the account is held in
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "申报主体"
        verbose_name_plural = "申报主体"

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.is_person else mask_credit_code(self.id_number)

    @property
    def masked_bank_account(self) -> str:
        return mask_bank_account(self.bank_account)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class LoginFailure(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    client = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
