"""Django admin for users; applicant profiles listed with their numbers masked."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ipfund.web.admin_readonly import ReadOnlyAdmin

from .models import ApplicantProfile, User


@admin.register(User)
class PlatformUserAdmin(ReadOnlyAdmin, UserAdmin):
    list_display = ("username", "email", "roles", "is_active")
    # Users, roles and passwords change only through the audited services (the staff pages), never
    # here: the admin shows accounts and changes nothing.
    readonly_fields = ("roles",)


@admin.register(ApplicantProfile)
class ApplicantProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "masked_id_number", "in_zone", "sme")
    list_filter = ("kind", "sme", "in_zone")
    search_fields = ("name",)
    exclude = ("id_number", "bank_account", "contact_phone")
    readonly_fields = ("masked_id_number", "masked_bank_account")

    def has_change_permission(self, request, obj=None):
        return False  # profiles change through applicant_profile_update, which audits
