"""EncryptedTextField: a text column holding a Fernet token bound to its table, column and row.

The clear text is sealed together with its place (``accounts_applicantprofile.bank_account#17``)
inside the authenticated token, and read back only at that place: an account copied, token and
all, from one applicant's row to another's does not decrypt (MisplacedCiphertext), so the next
payment cannot quietly go to the wrong person. Fernet has no associated-data parameter, so the
place is the first line of the sealed plaintext; its HMAC covers it like the rest.

The row is its primary key. A new row is inserted with its encrypted columns empty and then sealed
under the id it got, in the same transaction (SealedRowModel.save). Reading decrypts lazily, on
first access through the model instance (only the instance knows its row), so ``values()`` and
``values_list()`` give the sealed token, not the clear text. ``QuerySet.update`` can only blank
such a column (erasure); anything else must go through ``save``.

Empty stays empty (a blank phone is not a secret, and erasure blanks a value). Equality on the
column is meaningless for anything but the empty string (each token is random), so a number is
looked up through its blind index column instead (see blind_index.py)."""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute

from .keys import data_cipher

UNDECRYPTABLE = "无法解密个人信息：IPFUND_DATA_KEYS 中没有加密它的密钥（密钥丢失或配置错误）。"
MISPLACED = "个人信息密文不属于 {place}（被从别处复制而来或未绑定位置），拒绝解密。"
UNSEALED_UPDATE = "加密字段 {field} 只能通过保存记录写入（QuerySet.update 只能清空它）。"
_LOOKUPS = {"exact", "isnull"}  # exact only for "" (empty stays empty); anything else is meaningless
_MARK = "ipfund-place:"


class MisplacedCiphertext(ImproperlyConfigured):
    """A token that decrypts, but was sealed for another table, column or row (or for none)."""


def place(table: str, column: str, pk) -> str:
    return f"{table}.{column}#{pk}"


def encrypt(value: str) -> str:
    """A token bound to no place: only for data migrations that predate binding (bind_existing
    binds them afterwards); the field never reads one."""
    return data_cipher().encrypt(value.encode("utf-8")).decode("ascii")


def _open(token: str) -> str:
    try:
        return data_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise ImproperlyConfigured(UNDECRYPTABLE) from None


def seal(value: str, where: str) -> str:
    return data_cipher().encrypt(f"{_MARK}{where}\n{value}".encode("utf-8")).decode("ascii")


def unseal(token: str, where: str) -> str:
    """The clear text of ``token`` if it was sealed for ``where``; MisplacedCiphertext otherwise."""
    text = _open(token)
    head, sep, value = text.partition("\n")
    if not sep or head != _MARK + where:
        raise MisplacedCiphertext(MISPLACED.format(place=where))
    return value


def bind(token: str, where: str) -> str:
    """An unbound token (written before binding) sealed for ``where``; a bound one left as it is."""
    text = _open(token)
    return token if text.startswith(_MARK) else seal(text, where)


def reencrypt(token: str) -> str:
    """The token under the newest key (MultiFernet.rotate); the clear text — and the place sealed
    with it — never leaves this call."""
    try:
        return data_cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise ImproperlyConfigured(UNDECRYPTABLE) from None


class Sealed:
    """A token as read from the database, opened on first access through its row's instance."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __repr__(self) -> str:
        return "<sealed>"


class SealedToken(str):
    """A token sealed for its row by pre_save, passed to the database as it is."""


class _SealedAttribute(DeferredAttribute):
    """A data descriptor (it has __set__), so every read passes here, not only the first."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = unseal(value.token, place(self.field.model._meta.db_table, self.field.column, instance.pk))
            instance.__dict__[self.field.attname] = value
        return value


class EncryptedTextField(models.TextField):
    description = "加密文本"
    descriptor_class = _SealedAttribute

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Sealed(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or value == "":
            return value
        if model_instance.pk is None:  # SealedRowModel.save inserts first, then seals under the id
            raise ValueError(UNSEALED_UPDATE.format(field=self.name))
        return SealedToken(seal(str(value), place(self.model._meta.db_table, self.column, model_instance.pk)))

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.token
        if isinstance(value, SealedToken):
            return str(value)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        raise ValueError(UNSEALED_UPDATE.format(field=self.name))

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name in _LOOKUPS else None


def sealed_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class SealedRowModel(models.Model):
    """A model with encrypted columns: a new row is inserted with them empty, then sealed under
    the primary key it was given, in one transaction."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("update_fields"):
            return super().save(*args, **kwargs)
        fields = sealed_fields(type(self))
        clear = {f.attname: self.__dict__.get(f.attname) for f in fields}
        with transaction.atomic(using=kwargs.get("using")):
            for name in clear:
                self.__dict__[name] = ""
            try:
                super().save(*args, **kwargs)
            finally:
                self.__dict__.update(clear)
            filled = [name for name, value in clear.items() if value not in (None, "")]
            if filled:
                super().save(update_fields=filled, using=kwargs.get("using"))
