"""`manage.py rekey`: re-encrypt all personal data under the newest key of IPFUND_DATA_KEYS."""

from django.core.management.base import BaseCommand

from ipfund.web.accounts.pii import pii_rekey

DONE = "已用最新密钥重新加密：{profiles} 个申报主体，{values} 项个人信息。"


class Command(BaseCommand):
    help = "用 IPFUND_DATA_KEYS 中的第一个（最新）密钥重新加密全部个人信息"

    def handle(self, *args, **options):
        result = pii_rekey()
        if options["verbosity"]:
            self.stdout.write(DONE.format(profiles=result.profiles, values=result.values))
