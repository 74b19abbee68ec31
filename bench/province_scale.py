"""A province's scale: staff queues, search, statistics and claim pages over a large database,
with live submissions, reviews and approvals on top (issue #10 item 7).

    .venv/bin/python bench/province_scale.py                      # 1,000,000 claims, 100,000 applicants
    .venv/bin/python bench/province_scale.py --claims 20000 --applicants 2000 --seconds 20   # a quick run
    .venv/bin/python bench/province_scale.py --awards 0          # the same without awards, to compare

Builds a fresh PostgreSQL database (default ``h_queues`` on the local server: dropped and created
again), seeds staff, SMEs with API tokens and an open round exactly as ``bench/web_load.py`` does,
then bulk-loads the historical data set with ``bulk_create`` in batches: applicants of every kind
(credit codes and resident ID numbers valid by python-stdnum, encrypted and indexed as the
services would) and claims over 5 years (2022–2026) under the policy ids given by ``--policies``,
in every state, each submitted claim with its reference number; a share is left submitted or
recommended in the open round, so the queues hold tens of thousands of claims to search, sort and
page through. Then gunicorn serves it and ``--users`` threads work for ``--seconds``: applicants
over the API (create, three PDF uploads, submit), reviewers and approvers over the pages (queue,
claim page, recommend, approve against the ledger's caps), and staff searching the queues by name,
credit code and reference, sorting, paging, opening the statistics dashboard and old claims.
With ``--awards N`` (default 500,000) the ledger also holds N awards of the SMEs' earlier claims
(2022 custody subsidies, successor and county fund awards; written with COPY by
``bench/approval_latency.py``'s stage "ledger", as award_grant writes them), so the approvals
and pages are measured against a full ledger; run it again with ``--awards 0`` for the ratio.
Prints p50/p95/max per request kind, the errors, and the caps checked from the ledger afterwards.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402
import web_load as wl  # noqa: E402  (the same users, HTTP client, statistics and cap check)

ROOT = wl.ROOT
PY = wl.PY

BULK = r"""
import datetime as dt, os, random, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from decimal import Decimal
from django.db import connection, transaction
from django.utils import timezone
from ipfund.web.accounts.idgen import make_ric, make_uscc
from ipfund.web.accounts.models import ApplicantProfile, User
from ipfund.web.pii.fields import SealedToken, place, seal
from ipfund.web.claims.models import Claim, ReferenceSequence
from ipfund.web.pii.blind_index import blind_index
from ipfund.web.pii.pseudonyms import applicant_identity
from ipfund.web.rounds.models import ApplicationRound

n_applicants, n_claims, policies, batch = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(","), 5000
rng = random.Random(2026)
KINDS = ["enterprise"] * 6 + ["service_agency", "school", "university", "institution", "social_org", "person", "person"]
WORDS = ["星辰", "鼎泰", "华鑫", "蓝海", "宏远", "绿源", "知联", "智权", "国知", "新能", "精工", "宏图", "恒信", "博远", "德润"]
t0 = time.time()
open_round = ApplicationRound.objects.order_by("id").first()
profile_ids = []
serial = 100000
for start in range(0, n_applicants, batch):
    users, profiles = [], []
    for n in range(start, min(start + batch, n_applicants)):
        kind = KINDS[n % len(KINDS)]
        serial += 1
        # a resident number has 1,000 sequence numbers a birth date: the date moves on with the serial
        born = dt.date(1960, 1, 1) + dt.timedelta(days=serial // 1000)
        number = make_ric(serial, birth=born) if kind == "person" else make_uscc(kind, serial)
        name = f"肇庆{WORDS[n % len(WORDS)]}{n}号" + ("" if kind == "person" else "科技有限公司")
        users.append(User(username=f"p{n}", password="!", roles=["applicant"]))
        profiles.append((kind, number, name))
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=batch)
        # Encrypted columns are sealed for their own row (pii/fields.py): inserted empty, then
        # sealed under the ids the rows were given, as SealedRowModel.save does one by one.
        made = ApplicantProfile.objects.bulk_create([
            ApplicantProfile(user=u, kind=kind, id_number="", id_number_index=blind_index("id_number", number),
                             ledger_identity=applicant_identity(kind, number), name=name, in_zone=True, sme=kind == "enterprise",
                             bank_name="中国工商银行肇庆分行", bank_holder=name)
            for u, (kind, number, name) in zip(users, profiles)], batch_size=batch)
        for p, (_kind, number, _name) in zip(made, profiles):
            p.id_number = SealedToken(seal(number, place(ApplicantProfile._meta.db_table, "id_number", p.pk)))
        ApplicantProfile.objects.bulk_update(made, ["id_number"], batch_size=batch)
    profile_ids += [p.pk for p in made]
print(f"{n_applicants} applicants in {time.time() - t0:.1f}s", flush=True)

STATES = (["paid"] * 55 + ["rejected"] * 12 + ["withdrawn"] * 5 + ["final"] * 5 + ["revoked"] * 1
          + ["in_notice"] * 2 + ["approved"] * 2 + ["submitted"] * 12 + ["recommended"] * 4 + ["returned"] * 2)
sequence = {}
t1 = time.time()
tz = timezone.get_current_timezone()
for start in range(0, n_claims, batch):
    rows = []
    for n in range(start, min(start + batch, n_claims)):
        state = STATES[n % len(STATES)]
        live = state in ("submitted", "recommended", "returned")
        year = 2026 if live else 2022 + n % 5
        submitted = dt.datetime(year, 1 + n % 12, 1 + n % 28, 9 + n % 8, n % 60, tzinfo=tz)
        sequence[year] = sequence.get(year, 0) + 1
        cost = 1000 + rng.randrange(0, 30000)
        amount = Decimal(min(cost // 2, 10000))
        rows.append(Claim(
            applicant_id=profile_ids[rng.randrange(len(profile_ids))], round=open_round if live else None,
            policy=policies[n % len(policies)], item="custody_sme", event_date=submitted.date(),
            facts={"service_year": year - 1, "actual_cost": f"{cost}.00"}, state=state,
            reference=f"ZQGX-{year}-{sequence[year]:06d}", engine_amount=amount,
            recommended_amount=amount if state not in ("submitted", "returned") else None,
            approved_amount=amount if state in ("paid", "final", "in_notice", "approved", "revoked") else None,
            submitted_at=submitted))
    with transaction.atomic():
        Claim.objects.bulk_create(rows, batch_size=batch)
    if (start // batch) % 20 == 0:
        print(f"  {start + len(rows)} claims, {time.time() - t1:.0f}s", flush=True)
for year, last in sequence.items():  # live submissions continue the year's numbering
    ReferenceSequence.objects.update_or_create(series="ZQGX", year=year, defaults={"last": last})
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans see the visibility map
print(f"{n_claims} claims in {time.time() - t1:.1f}s", flush=True)
"""


BUDGET = r"""
import json, os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from decimal import Decimal
from django.utils import timezone
from ipfund.web.accounts.models import User
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import committed
from ipfund.web.budgets.services import budget_set
from ipfund.web.rounds.models import ApplicationRound
if sys.argv[1] == "set":  # the open round's budget and its policy's annual budget, small enough to be reached
    admin, rnd = User.objects.get(username="admin"), ApplicationRound.objects.order_by("id").first()
    budget_set(actor=admin, policy=rnd.policy, year=timezone.localdate().year, amount=Decimal(sys.argv[3]))
    budget_set(actor=admin, policy=rnd.policy, year=timezone.localdate().year, amount=Decimal(sys.argv[2]), round=rnd)
else:  # each budget against the ledger's net awards it carries
    rows = [(f"{b.policy} {b.year}" + (f" round {b.round.name}" if b.round_id else " annual"), b.amount, committed(b)) for b in Budget.objects.select_related("round")]
    over = [r for r in rows if r[2] > r[1]]
    for name, amount, used in rows:
        print(f"budget {name}: {amount} yuan, committed {used} yuan from the ledger")
    print("budgets intact" if not over else f"BUDGET EXCEEDED: {over}")
"""


def searcher(port, name, stats, stop, ready, sample):
    """A staff member looking things up: search by name, credit code or reference, sort, page,
    the dashboard, an old claim's page."""
    web = wl.Http(port, wl.Stats())
    web.login(name, "Bench-Review-2026")
    web.stats = stats
    ready.wait()
    while not stop.is_set():
        word = random.choice(["星辰", "鼎泰", "华鑫", "蓝海", "宏远", "知联"]) + str(random.randrange(100))
        web.request("queue_search_name", "GET", "/staff/review/?" + urllib.parse.urlencode({"q": word}))
        web.request("queue_search_code", "GET", "/staff/review/?" + urllib.parse.urlencode({"q": random.choice(sample["codes"])}))
        web.request("queue_search_ref", "GET", "/staff/review/?" + urllib.parse.urlencode({"q": random.choice(sample["refs"])}))
        web.request("queue_sorted_paged", "GET", f"/staff/review/?sort=-engine_amount&page={random.randrange(1, 50)}")
        web.request("queue_state_paid", "GET", f"/staff/review/?state=paid&sort=applicant&page={random.randrange(1, 200)}")
        web.request("statistics", "GET", "/staff/statistics/", expect=(200, 403, 404))
        web.request("old_claim_page", "GET", f"/staff/claims/{random.choice(sample['claims'])}/")


TOKENS = r"""
import json, os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from ipfund.web.accounts.models import User
from ipfund.web.api.services import api_token_create
print(json.dumps([api_token_create(actor=User.objects.get(username=f"sme{i}"), name="bench again")[1] for i in range(int(sys.argv[1]))]))
"""


def sample_of(env) -> dict:
    code = r"""
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from ipfund.web.claims.models import Claim
from ipfund.web.accounts.models import ApplicantProfile
ids = list(Claim.objects.exclude(state="draft").order_by("?").values_list("id", "reference")[:200])
codes = list(ApplicantProfile.objects.exclude(kind="person").order_by("?").values_list("ledger_identity", flat=True)[:200])
print(json.dumps({"claims": [i for i, _ in ids], "refs": [r for _, r in ids if r], "codes": codes}))
"""
    out = subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--policies", default="zhaoqing-hitech-ip-2022,fictional-successor-2025",
                        help="policy ids the historical claims are recorded under, in turn (the second is the "
                             "fictional successor installed from tests/fixtures/policies)")
    parser.add_argument("--awards", type=int, default=500_000,
                        help="awards in the ledger besides the claims: historical claims of the SMEs, each with its "
                             "award as award_grant writes it (bench/approval_latency.py's seeding); 0 for none")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="h_queues")
    parser.add_argument("--think", default="1,3")
    parser.add_argument("--reuse", action="store_true",
                        help="run against the database an earlier run built with the same --users (not dropped, not "
                             "seeded again; new API tokens for its SMEs): to alternate runs on two databases, e.g. "
                             "with and without awards, without building each again")
    parser.add_argument("--round-budget", default="300000", help="the open round's budget in yuan (approvals stop at it)")
    parser.add_argument("--annual-budget", default="400000", help="the policy's budget for this year in yuan")
    args = parser.parse_args()
    print(f"machine: {machine.describe()}", flush=True)
    wl.THINK[:] = [float(x) for x in args.think.split(",")]

    searchers = max(1, args.users // 5)
    reviewers = max(1, args.users // 10)
    approvers = max(1, args.users // 12)
    applicants = args.users - searchers - reviewers - approvers
    server = urllib.parse.urlparse(args.server)
    database_url = server._replace(path=f"/{args.database}").geturl()
    psql = ["psql", "-q", "-h", server.hostname or "127.0.0.1", "-U", server.username or "postgres", "-d", "postgres", "-c"]
    if not args.reuse:
        subprocess.run(psql + [f"DROP DATABASE IF EXISTS {args.database}"], check=True)
        subprocess.run(psql + [f"CREATE DATABASE {args.database}"], check=True)
    env = {**os.environ, "DATABASE_URL": database_url, "IPFUND_DATA_DIR": str(ROOT / "bench/out/province"),
           "IPFUND_LOG_LEVEL": "ERROR", "IPFUND_LOGIN_MAX_FAILURES": "1000",
           "IPFUND_EVALUATE_PER_MINUTE": "0", "IPFUND_POLICY_PATH": str(ROOT / "tests/fixtures/policies"),
           "IPFUND_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    Path(env["IPFUND_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if args.reuse:
        made = subprocess.run([PY, "-c", TOKENS, str(applicants)], env=env, capture_output=True, text=True, check=True)
        tokens = json.loads(made.stdout.strip().splitlines()[-1])
    else:
        seeded = subprocess.run([PY, "-c", wl.SEED, str(applicants), str(reviewers + searchers), str(approvers)], env=env,
                                capture_output=True, text=True, check=True)
        tokens = json.loads(seeded.stdout.strip().splitlines()[-1])
        subprocess.run([PY, "-c", BUDGET, "set", args.round_budget, args.annual_budget], env=env, check=True)
        subprocess.run([PY, "-c", BULK, str(args.applicants), str(args.claims), args.policies], env=env, check=True)
    if args.awards and not args.reuse:
        subprocess.run([PY, str(ROOT / "bench/approval_latency.py"), "--stage", "ledger", "--mode", "full",
                        "--database", args.database, "--server", args.server, "--awards", str(args.awards),
                        "--rounds", "0", "--applicants-named", r"^p[0-9]+$", "--approver", "apr0", "--reviewer", "rev0"],
                       env=env, check=True)
    if not args.reuse:
        # The counts the database keeps (claims per state, the ledger's totals) are a few dozen rows,
        # but the load updated them once a claim and once an award: a million dead row versions that
        # VACUUM frees but cannot hand back, so every read of those few rows scanned 10–20 MB. An
        # operator compacts them after such an import; in everyday use autovacuum keeps them small.
        subprocess.run(psql[:-3] + ["-d", args.database, "-c", "VACUUM FULL ANALYZE claims_statecount, ledger_awardtotal"],
                       check=True)
    print(f"database {'reused' if args.reuse else 'built'} in {time.time() - t0:.0f}s")
    sample = sample_of(env)

    gunicorn = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "ipfund.web.config.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--log-level", "warning"], env=env)
    try:
        wl.wait_ready(args.port, seconds=60)
        stats, stop = wl.Stats(), threading.Event()
        submitted, recommended, outcomes = queue.Queue(), queue.Queue(), defaultdict(int)
        ready = threading.Barrier(args.users + 1)
        threads = [threading.Thread(target=wl.applicant, args=(args.port, tokens[i], stats, submitted, stop, ready)) for i in range(applicants)]
        threads += [threading.Thread(target=wl.reviewer, args=(args.port, f"rev{i}", stats, submitted, recommended, stop, ready)) for i in range(reviewers)]
        threads += [threading.Thread(target=searcher, args=(args.port, f"rev{reviewers + i}", stats, stop, ready, sample)) for i in range(searchers)]
        threads += [threading.Thread(target=wl.approver, args=(args.port, f"apr{i}", stats, recommended, outcomes, stop, ready)) for i in range(approvers)]
        elapsed = wl.run_users(threads, ready, stop, args.seconds, join_timeout=120)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"PostgreSQL database {args.database}: {args.claims} claims, {args.applicants} applicants, 5 years, "
          f"policies {args.policies}; {args.awards} awards in the ledger besides (the SMEs' earlier claims under "
          f"the 2022 policy, its successor and the county fund); gunicorn {args.workers} workers; {args.users} users for {elapsed:.0f}s, "
          f"think time {wl.THINK[0]:g}–{wl.THINK[1]:g} s")
    total_errors = wl.report(stats, elapsed, outcomes, env, width=20)
    budgets = subprocess.run([PY, "-c", BUDGET, "check"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    print(budgets)
    return 0 if total_errors == 0 and budgets.endswith("budgets intact") else 1


if __name__ == "__main__":
    sys.exit(main())
