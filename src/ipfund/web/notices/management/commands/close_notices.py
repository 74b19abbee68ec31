"""`ipfund manage close_notices`: close every notice (公示) whose period has ended, as the system.

The same close a reviewer makes on the notice page: the awards still standing become final
(资助确定); a notice with objections not yet resolved stays open and is named. The housekeeping
runs it every hour (`ipfund serve`, or Celery beat); this command runs it now (cron, by hand)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from ipfund.web.notices.services import notices_close_due

CLOSED = "已结束公示：{title}（公示期至 {ends}），{count} 项资助已确定。"
WAITING = "未能结束公示：{title}——{reason}"
NONE_DUE = "没有到期未结束的公示。"


class Command(BaseCommand):
    help = "结束公示期已满的公示（与初审人员手动结束公示相同：公示期满的资助转为资助确定）"

    def handle(self, *args, **options):
        closed, waiting = notices_close_due()
        for notice in closed:
            ends = timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(CLOSED.format(title=notice.title, ends=ends, count=notice.entries.filter(claim__state="final").count()))
        for notice, reason in waiting:
            self.stdout.write(WAITING.format(title=notice.title, reason=reason))
        if not closed and not waiting:
            self.stdout.write(NONE_DUE)
