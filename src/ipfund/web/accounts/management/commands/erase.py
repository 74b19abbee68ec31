"""`manage.py erase USERNAME --by ADMIN --reason …`: erase a person's personal data (PIPL)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ipfund.web.accounts.models import ApplicantProfile, User
from ipfund.web.accounts.pii import applicant_erase

DONE = "已删除申报主体 #{pk} 的个人信息；台账和审计链仅以化名 {identity} 记载。"
NO_APPLICANT = "找不到用户名为 {username} 的申报主体。"
NO_ADMIN = "找不到用户名为 {username} 的管理员（--by）。"


class Command(BaseCommand):
    help = "删除个人申报主体的个人信息（台账与审计链保留化名，仍可校验）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="申报人的用户名")
        parser.add_argument("--by", required=True, help="执行删除的管理员用户名")
        parser.add_argument("--reason", required=True, help="删除依据")

    def handle(self, *args, username, by, reason, **options):
        profile = ApplicantProfile.objects.filter(user__username=username).first()
        if profile is None:
            raise CommandError(NO_APPLICANT.format(username=username))
        admin = User.objects.filter(username=by).first()
        if admin is None:
            raise CommandError(NO_ADMIN.format(username=by))
        try:
            profile = applicant_erase(actor=admin, profile=profile, reason=reason)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from None
        self.stdout.write(DONE.format(pk=profile.pk, identity=profile.ledger_identity))
