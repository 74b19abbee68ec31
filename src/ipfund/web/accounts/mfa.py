"""Staff second factor (双因素认证): TOTP devices of django-otp, enrolled and verified here.

A staff member enrols once: a new, unconfirmed device is made, its key shown as a QR code for an
authenticator app, and the first code the app shows confirms it. Every sign-in afterwards asks
for a current code (when ``IPFUND_STAFF_MFA`` is on: always in production). A lost authenticator
is reset by another administrator (mfa_reset), which also revokes every API token of the person.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from .models import StaffTOTPDevice  # django-otp's TOTP with the key encrypted

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

from . import roles as role_names
from .signals import REVOKED_MFA_RESET, credentials_changed

TOKEN_INVALID = "验证码不正确或已过期，请输入验证器中当前显示的 6 位数字。"
DEVICE_NAME = "验证器"
MFA_RESET_ONLY_ADMIN = "只有管理员可以重置他人的双因素认证。"
MFA_RESET_NOT_YOURSELF = "不能重置本人的双因素认证，请由另一位管理员办理。"
MFA_RESET_REASON_REQUIRED = "请填写重置双因素认证的原因。"


def mfa_devices(user):
    return StaffTOTPDevice.objects.devices_for_user(user, confirmed=True)


def mfa_enrolled(user) -> bool:
    return mfa_devices(user).exists()


@transaction.atomic
def mfa_device_start(*, actor) -> StaffTOTPDevice:
    """The actor's device being enrolled (a new key the first time; the same one until confirmed)."""
    device = StaffTOTPDevice.objects.filter(user=actor, confirmed=False).first()
    return device or StaffTOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)


def mfa_qr_svg(device: StaffTOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code (no image file, no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def mfa_manual_key(device: StaffTOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _code(token) -> str:
    code = "".join(str(token or "").split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise ValidationError({"token": [TOKEN_INVALID]})
    return code


@transaction.atomic
def mfa_device_confirm(*, actor, device: StaffTOTPDevice, token) -> StaffTOTPDevice:
    code = _code(token)
    device = StaffTOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    if not device.verify_token(code):
        raise ValidationError({"token": [TOKEN_INVALID]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaffTOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    audit_record(actor=actor, action=AuditAction.MFA_ENROLL, obj=actor, after={"device": device.pk})
    return device


def mfa_check(*, user, token) -> StaffTOTPDevice:
    """The confirmed device that accepts ``token`` (each code once), or a ValidationError on ``token``."""
    code = _code(token)
    for device in mfa_devices(user):
        if device.verify_token(code):
            return device
    raise ValidationError({"token": [TOKEN_INVALID]})


@transaction.atomic
def mfa_reset(*, actor, user, reason: str) -> int:
    """Another administrator removes ``user``'s authenticators (lost phone): the next sign-in enrols
    a new one. Every API token of the user is revoked with it. Returns how many devices went."""
    if not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(MFA_RESET_ONLY_ADMIN)
    if actor.pk == user.pk:
        raise PermissionDenied(MFA_RESET_NOT_YOURSELF)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValidationError({"reason": [MFA_RESET_REASON_REQUIRED]})
    removed, _ = StaffTOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action=AuditAction.MFA_RESET, obj=user, after={"devices": removed, "reason": reason})
    credentials_changed.send(sender=type(user), actor=actor, user=user, reason=REVOKED_MFA_RESET)
    return removed
