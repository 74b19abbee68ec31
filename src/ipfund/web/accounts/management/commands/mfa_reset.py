"""`manage.py mfa_reset USERNAME --by ADMIN --reason …`: remove a person's authenticators (lost
phone) so the next sign-in enrols a new one; every API token of theirs is revoked with it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ipfund.web.accounts.mfa import mfa_reset
from ipfund.web.accounts.models import User

DONE = "已重置用户 {username} 的双因素认证（移除验证器 {devices} 个），其接口令牌已全部撤销；下次登录时须重新绑定。"
NO_USER = "找不到用户名为 {username} 的用户。"
NO_ADMIN = "找不到用户名为 {username} 的管理员（--by）。"


class Command(BaseCommand):
    help = "重置用户的双因素认证（验证器遗失时），并撤销其全部接口令牌"

    def add_arguments(self, parser):
        parser.add_argument("username", help="要重置的用户名")
        parser.add_argument("--by", required=True, help="办理重置的管理员用户名（不能是本人）")
        parser.add_argument("--reason", required=True, help="重置原因")

    def handle(self, *args, username, by, reason, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(NO_USER.format(username=username))
        admin = User.objects.filter(username=by).first()
        if admin is None:
            raise CommandError(NO_ADMIN.format(username=by))
        try:
            devices = mfa_reset(actor=admin, user=user, reason=reason)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from None
        self.stdout.write(DONE.format(username=user.username, devices=devices))
