"""Django admin: the ledger is read-only here; awards change only through the services."""

from django.contrib import admin

from ipfund.web.admin_readonly import ReadOnlyAdmin

from .models import AwardEntry, CapBucket, DuplicateKey


ReadOnly = ReadOnlyAdmin


@admin.register(AwardEntry)
class AwardEntryAdmin(ReadOnly):
    list_display = ("id", "claim_id", "item", "kind", "amount", "created_at")
    list_filter = ("item", "kind")


@admin.register(CapBucket)
class CapBucketAdmin(ReadOnly):
    list_display = ("item", "group", "cap", "used")
    list_filter = ("item",)


@admin.register(DuplicateKey)
class DuplicateKeyAdmin(ReadOnly):
    list_display = ("item", "key", "entry_id", "released_by_id")
    list_filter = ("item",)
