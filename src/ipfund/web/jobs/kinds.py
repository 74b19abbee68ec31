"""The kinds of job: who may ask for each, what it writes, what its file is called.

A kind's ``run(job, path, progress)`` writes the file at ``path`` and returns how many rows or
documents it wrote; ``progress(done, total)`` records how far it got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ipfund.web.accounts import roles

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"


@dataclass(frozen=True)
class JobKind:
    title: str
    roles: tuple[str, ...]
    run: Callable
    filename: Callable[[dict], str]
    content_type: str | Callable[[dict], str] = XLSX  # or chosen by the parameters (a bank template's file type)
    clean: Callable[[dict], dict] | None = None  # the kind's own check of its parameters (ValidationError naming the field)
    result_url: Callable | None = None  # (job) → the page of what a finished job made, if any

    def content_type_for(self, params: dict) -> str:
        return self.content_type(params) if callable(self.content_type) else self.content_type


def _exports():
    from ipfund.web.documents import letters
    from ipfund.web.exports import awards, bank_batch, queues, statistics

    return awards, bank_batch, queues, statistics, letters


# The kinds of the apps built on jobs (they import jobs, so jobs does not import them): each adds
# its own in its AppConfig.ready — the sandbox its run ("sandbox_run").
_registered: dict[str, JobKind] = {}


def kind_register(name: str, kind: JobKind) -> None:
    _registered[name] = kind


def kinds() -> dict[str, JobKind]:
    awards, bank_batch, queues, statistics, letters = _exports()
    from ipfund.web.registers import jobs as matching

    staff = (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)
    return {
        "queue_review": JobKind("初审队列导出", (roles.REVIEWER,), queues.export_queue, queues.filename),
        "queue_approval": JobKind("审定队列导出", (roles.APPROVER,), queues.export_queue, queues.filename),
        "queue_finance": JobKind("待拨付清单导出", (roles.FINANCE,), queues.export_finance_queue, queues.filename),
        "awards": JobKind("资助名单导出", staff, awards.export_awards, awards.filename),
        "bank_batch": JobKind(
            "银行批量代发文件", (roles.FINANCE,), bank_batch.export_bank_batch, bank_batch.filename, bank_batch.content_type
        ),
        "statistics": JobKind("年度统计导出", staff, statistics.export_statistics, statistics.filename),
        "match_run": JobKind("免申即享匹配", (roles.REVIEWER, roles.ADMIN), matching.run_match, matching.filename,
                             clean=matching.clean, result_url=matching.result_url),
        "decision_letters": JobKind(
            "资助决定书批量生成", (roles.REVIEWER, roles.APPROVER, roles.ADMIN), letters.export_letters, letters.filename, ZIP
        ),
        **_registered,
    }
