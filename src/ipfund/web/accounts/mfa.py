"""Staff second factor (双因素认证): TOTP devices of django-otp, enrolled and verified here.

A staff member enrols once: a new, unconfirmed device is made, its key shown as a QR code for an
authenticator app, and the first code the app shows confirms it. Every sign-in afterwards asks
for a current code (when ``IPFUND_STAFF_MFA`` is on: always in production).
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

TOKEN_INVALID = "验证码不正确或已过期，请输入验证器中当前显示的 6 位数字。"
DEVICE_NAME = "验证器"


def mfa_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def mfa_enrolled(user) -> bool:
    return mfa_devices(user).exists()


@transaction.atomic
def mfa_device_start(*, actor) -> TOTPDevice:
    """The actor's device being enrolled (a new key the first time; the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)


def mfa_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code (no image file, no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def mfa_manual_key(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _code(token) -> str:
    code = "".join(str(token or "").split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise ValidationError({"token": [TOKEN_INVALID]})
    return code


@transaction.atomic
def mfa_device_confirm(*, actor, device: TOTPDevice, token) -> TOTPDevice:
    code = _code(token)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    if not device.verify_token(code):
        raise ValidationError({"token": [TOKEN_INVALID]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    audit_record(actor=actor, action=AuditAction.MFA_ENROLL, obj=actor, after={"device": device.pk})
    return device


def mfa_check(*, user, token) -> TOTPDevice:
    """The confirmed device that accepts ``token`` (each code once), or a ValidationError on ``token``."""
    code = _code(token)
    for device in mfa_devices(user):
        if device.verify_token(code):
            return device
    raise ValidationError({"token": [TOKEN_INVALID]})
