"""A 100,000-row export, timed and its peak memory measured (the award list, the bank batch file), and
a batch of 5,000 decision letters.

    .venv/bin/python bench/export_rows.py [--rows 100000] [--database-url postgres://…]

Builds a database of ROWS final awards (1,000 applicants, each claim with its ledger grant) in a
temporary data directory (SQLite) or in the given PostgreSQL database — which it EMPTIES before and
after (its public schema is dropped and made anew), so give it a database of its own — then runs each export in a fresh process exactly as the job worker does
(`job_run`), and prints its wall time, the process's peak RSS, the RSS before the export began
(Django and the libraries loaded) and the growth between them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MAKE = r"""
import datetime as dt, os, sys
from decimal import Decimal
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from ipfund.web.accounts.idgen import make_uscc
from ipfund.web.accounts.models import ApplicantProfile, User
from ipfund.web.claims.models import Claim
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.engine_door import default_policy

rows, LETTERS = int(sys.argv[1]), int(sys.argv[2])
policy = default_policy().id
now = timezone.now()
User.objects.create_user("finance", password="Bench-Finance-2026", roles=["finance"])
rnd = ApplicationRound.objects.create(policy=policy, name="2026年第一批", opens_at=now - dt.timedelta(days=30),
                                      closes_at=now - dt.timedelta(days=1), items=["custody_sme"])
letters = ApplicationRound.objects.create(policy=policy, name="2026年第二批", opens_at=now - dt.timedelta(days=30),
                                          closes_at=now - dt.timedelta(days=1), items=["custody_sme"])
users = User.objects.bulk_create([User(username=f"a{i}", password="!") for i in range(1000)])
profiles = ApplicantProfile.objects.bulk_create([
    ApplicantProfile(user=u, kind="enterprise", id_number=make_uscc("enterprise", i + 1), name=f"肇庆{i}号新材料科技有限公司",
                     sme=True, bank_name="中国工商银行肇庆分行", bank_account=f"6222020000{i:09d}")
    for i, u in enumerate(users)
])
year = timezone.localdate().year
batch = 5000
for start in range(0, rows, batch):
    claims = Claim.objects.bulk_create([
        Claim(applicant=profiles[n % 1000], round=letters if n < LETTERS else rnd, policy=policy, item="custody_sme", event_date=dt.date(2024, 3, 1),
              facts={"service_year": 2000 + n // 1000, "actual_cost": "6000.00"}, state="final",
              reference=f"ZQGX-{year}-{n + 1:06d}", submitted_at=now, engine_amount=Decimal("3000.00"),
              recommended_amount=Decimal("3000.00"), approved_amount=Decimal("3000.00"))
        for n in range(start, min(rows, start + batch))
    ])
    AwardEntry.objects.bulk_create([
        AwardEntry(claim=c, applicant_id=c.applicant_id, policy=policy, item=c.item, kind="grant", amount=c.approved_amount,
                   claim_data={"id": str(c.pk)}, created_by_id=1)
        for c in claims
    ])
print(Claim.objects.count())
"""

EXPORT = r"""
import json, os, resource, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from ipfund.web.accounts.models import User
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import job_run
import ipfund.web.exports.awards, ipfund.web.exports.bank_batch, ipfund.web.documents.letters, openpyxl  # loaded before the baseline
from ipfund.web.rounds.models import ApplicationRound
kind = sys.argv[1]
finance = User.objects.get(username="finance")
params = {"round": str(ApplicationRound.objects.get(name="2026年第二批").pk)} if kind == "decision_letters" else {}
job = Job.objects.create(kind=kind, params=params, requested_by=finance, filename="bench.out")
def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
before = rss_kib()
t = time.perf_counter()
job = job_run(job_id=job.pk)
seconds = time.perf_counter() - t
from django.conf import settings
size = os.path.getsize(os.path.join(settings.MEDIA_ROOT, job.file))
print(json.dumps({"kind": kind, "state": job.state, "rows": job.done, "seconds": seconds, "before_mib": before / 1024,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "file_mib": size / 2**20}))
"""


def _empty(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def main() -> int:
    from machine import describe

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--letters", type=int, default=5_000, help="decision letters in one batch (a round of that many)")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="ipfund-bench-export-")
    env = {**os.environ, "IPFUND_DATA_DIR": data}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        _empty(args.database_url)
        env["DATABASE_URL"] = args.database_url
    print(f"machine: {describe()}")
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; building {args.rows:,} final awards …", flush=True)
    subprocess.run([sys.executable, "-c", MAKE, str(args.rows), str(args.letters)], env=env, check=True, stdout=subprocess.DEVNULL)
    for kind in ("awards", "bank_batch", "decision_letters"):
        out = subprocess.run([sys.executable, "-c", EXPORT, kind], env=env, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        unit = "letters" if kind == "decision_letters" else "rows"
        print(
            f"{kind:<16} {r['rows']:>8,} {unit}  {r['seconds']:6.2f} s  ({r['rows'] / r['seconds']:,.0f} {unit}/s)  "
            f"peak RSS {r['peak_mib']:.0f} MiB (before the export {r['before_mib']:.0f} MiB, "
            f"growth {r['peak_mib'] - r['before_mib']:.0f} MiB)  file {r['file_mib']:.1f} MiB  [{r['state']}]"
        )
    if args.database_url:
        _empty(args.database_url)
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
