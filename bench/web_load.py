"""Load run of the platform: gunicorn + PostgreSQL on loopback, mixed traffic from a second process.

    .venv/bin/python bench/web_load.py [--users 50] [--seconds 30] [--workers 5]

Sets up a fresh database `ipfund_bench` (DATABASE_URL's server, default the local one), seeds staff,
SMEs with API tokens and an open round, starts gunicorn, then runs simulated users in threads:

- applicants (API, bearer token): item list, own claims, new ¥1,000 custody claim (50% of ¥2,000)
  with three PDF uploads and submission, claim detail; the public notice page;
- reviewers (pages, session + CSRF): review queue, recommend submitted claims;
- approvers (pages): approval queue, approve recommended claims — against the ¥10,000 yearly cap
  of each SME, so many approvals are refused by the ledger under load.

Prints p50/p95/max per request kind and overall, the error count (5xx, connection errors,
unexpected statuses) and checks every cap from the ledger afterwards. Bounded by --seconds.
"""

from __future__ import annotations

import argparse
import http.client
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
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
CUSTODY_EVIDENCE = ["托管服务合同", "费用发票及支付凭证", "中小微企业声明"]

SEED = r"""
import json, datetime as dt, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from ipfund.web.demo import flow
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.api.services import api_token_create
from ipfund.web.rounds.services import round_create
from ipfund.web.engine_door import default_policy
n_app, n_rev, n_apr = map(int, sys.argv[1:4])
admin = staff_user_create(actor=None, username="admin", password="Bench-Admin-2026", roles=["admin"])
for i in range(n_rev):
    staff_user_create(actor=None, username=f"rev{i}", password="Bench-Review-2026", roles=["reviewer"])
for i in range(n_apr):
    staff_user_create(actor=None, username=f"apr{i}", password="Bench-Approve-2026", roles=["approver"])
now = timezone.now()
round_create(actor=admin, name="压测批次", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=10),
             items=list(default_policy().items))
tokens = []
for i in range(n_app):
    user = flow.new_applicant("enterprise", sme=True, username=f"sme{i}")
    tokens.append(api_token_create(actor=user, name="bench")[1])
print(json.dumps(tokens))
"""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = []

    def add(self, kind, seconds, ok, detail=""):
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{kind}: {detail[:200]}")


class Http:
    """One keep-alive connection with a cookie jar: a browser tab or an API client."""

    def __init__(self, port, stats):
        self.port, self.stats = port, stats
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {}

    def request(self, kind, method, path, body=None, headers=None, expect=(200,)):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.stats.add(kind, time.perf_counter() - start, False, repr(exc))
            return None, b""
        elapsed = time.perf_counter() - start
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        ok = resp.status in expect
        self.stats.add(kind, elapsed, ok, f"{resp.status} {data[:150]!r}")
        if THINK[1] > 0:  # a person reads the page before the next click
            time.sleep(random.uniform(*THINK))
        return resp.status, data

    def form(self, kind, path, fields, expect=(200, 302)):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        body = urllib.parse.urlencode(fields)
        return self.request(kind, "POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/",
            "X-CSRFToken": self.cookies.get("csrftoken", "")}, expect)

    def login(self, username, password):
        self.request("login_page", "GET", "/accounts/login/")
        self.form("login", "/accounts/login/", {"username": username, "password": password}, expect=(302,))


THINK = [1.0, 3.0]


def multipart(fields, file_field, filename, content):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def applicant(port, token, stats, submitted, stop, ready):
    web = Http(port, stats)
    ready.wait()
    auth = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        web.request("api_items", "GET", "/api/items", headers=auth)
        web.request("api_claims", "GET", "/api/claims", headers=auth)
        body = json.dumps({"item": "custody_sme", "event_date": "2023-06-01",
                           "facts": {"service_year": 2023, "actual_cost": "2000"}})
        status, data = web.request("api_create", "POST", "/api/claims", body,
                                   {**auth, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
                                   expect=(201,))
        if status != 201:
            continue
        claim_id = json.loads(data)["id"]
        for label in CUSTODY_EVIDENCE:
            payload, ctype = multipart({"requirement": label}, "file", "evidence.pdf", PDF)
            web.request("api_upload", "POST", f"/api/claims/{claim_id}/evidence", payload,
                        {**auth, "Content-Type": ctype}, expect=(201,))
        status, _ = web.request("api_submit", "POST", f"/api/claims/{claim_id}/submit", headers=auth)
        if status == 200:
            submitted.put(claim_id)
        web.request("api_detail", "GET", f"/api/claims/{claim_id}", headers=auth)
        web.request("public_notices", "GET", "/notices/")


def reviewer(port, name, stats, submitted, recommended, stop, ready):
    web = Http(port, Stats())
    web.login(name, "Bench-Review-2026")  # signing in (a deliberately slow password hash) is not measured
    web.stats = stats
    ready.wait()
    while not stop.is_set():
        web.request("review_queue", "GET", "/staff/review/")
        try:
            claim_id = submitted.get(timeout=0.5)
        except queue.Empty:
            continue
        web.request("staff_claim", "GET", f"/staff/claims/{claim_id}/")
        status, _ = web.form("recommend", f"/staff/claims/{claim_id}/recommend/",
                             {"facts-service_year": "2023", "facts-actual_cost": "2000", "amount": "", "reason": ""})
        if status == 302:
            recommended.put(claim_id)


def approver(port, name, stats, recommended, outcomes, stop, ready):
    web = Http(port, Stats())
    web.login(name, "Bench-Approve-2026")
    web.stats = stats
    ready.wait()
    while not stop.is_set():
        web.request("approval_queue", "GET", "/staff/approval/")
        try:
            claim_id = recommended.get(timeout=0.5)
        except queue.Empty:
            continue
        status, _ = web.form("approve", f"/staff/claims/{claim_id}/approve/", {})
        outcomes[status] += 1


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def wait_ready(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/items")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def check_caps(env) -> str:
    code = r"""
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipfund.web.config.settings"
django.setup()
from collections import defaultdict
from decimal import Decimal
from ipfund.web.ledger.models import AwardEntry, CapBucket
per_group = defaultdict(Decimal)
for e in AwardEntry.objects.filter(item="custody_sme"):
    per_group[(e.claim_data["applicant"]["id"], e.claim_data["facts"]["service_year"])] += e.amount
over = {k: v for k, v in per_group.items() if v > Decimal("10000")}
bad_buckets = sum(1 for b in CapBucket.objects.all() if b.used > b.cap)
print(f"{len(per_group)} cap groups, {AwardEntry.objects.count()} ledger entries, total awarded {sum(per_group.values())}, "
      f"groups over the 10000 cap: {len(over)}, buckets over cap: {bad_buckets}")
print("CAPS INTACT" if not over and not bad_buckets else "CAPS BROKEN")
"""
    return subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--think", default="1,3",
                        help="seconds each user waits between requests, MIN,MAX (as locust's between(1, 3)); "
                             "0,0 sends back to back, which measures saturation rather than users")
    args = parser.parse_args()
    THINK[:] = [float(x) for x in args.think.split(",")]

    reviewers = max(1, args.users // 10)
    approvers = max(1, args.users // 12)
    applicants = args.users - reviewers - approvers
    server = urllib.parse.urlparse(args.server)
    database_url = server._replace(path="/ipfund_bench").geturl()
    psql = ["psql", "-q", "-h", server.hostname or "127.0.0.1", "-U", server.username or "postgres", "-d", "postgres", "-c"]
    subprocess.run(psql + ["DROP DATABASE IF EXISTS ipfund_bench"], check=True)
    subprocess.run(psql + ["CREATE DATABASE ipfund_bench"], check=True)
    env = {**os.environ, "DATABASE_URL": database_url, "IPFUND_DATA_DIR": str(ROOT / "bench/out/web"),
           "IPFUND_LOG_LEVEL": "ERROR", "IPFUND_LOGIN_MAX_FAILURES": "1000",
           "IPFUND_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    Path(env["IPFUND_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    tokens = json.loads(subprocess.run([PY, "-c", SEED, str(applicants), str(reviewers), str(approvers)], env=env,
                                       capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    print(f"seeded {applicants} SMEs, {reviewers} reviewers, {approvers} approvers in {time.time() - t0:.1f}s")

    gunicorn = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "ipfund.web.config.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--log-level", "warning"], env=env)
    try:
        wait_ready(args.port)
        stats, stop = Stats(), threading.Event()
        submitted, recommended, outcomes = queue.Queue(), queue.Queue(), defaultdict(int)
        ready = threading.Barrier(args.users + 1)
        threads = [threading.Thread(target=applicant, args=(args.port, tokens[i], stats, submitted, stop, ready)) for i in range(applicants)]
        threads += [threading.Thread(target=reviewer, args=(args.port, f"rev{i}", stats, submitted, recommended, stop, ready)) for i in range(reviewers)]
        threads += [threading.Thread(target=approver, args=(args.port, f"apr{i}", stats, recommended, outcomes, stop, ready)) for i in range(approvers)]
        elapsed = run_users(threads, ready, stop, args.seconds, join_timeout=60)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"gunicorn {args.workers} sync workers; {args.users} concurrent users for {elapsed:.0f}s, "
          f"think time {THINK[0]:g}–{THINK[1]:g} s")
    total_errors = report(stats, elapsed, outcomes, env, width=16)
    return 0 if total_errors == 0 else 1



def run_users(threads, ready, stop, seconds: float, *, join_timeout: float) -> float:
    """Start the users in a random order, let them work for ``seconds`` once all are ready, stop
    them and wait; the elapsed time (requests still in flight finish and are counted)."""
    random.shuffle(threads)
    for t in threads:
        t.start()
    ready.wait()
    start = time.time()
    time.sleep(seconds)
    stop.set()
    elapsed = time.time() - start
    for t in threads:
        t.join(timeout=join_timeout)
    return elapsed


def report(stats, elapsed: float, outcomes, env, *, width: int) -> int:
    """Print the figures per kind of request, the error samples, the approvals and the cap check;
    the number of errors."""
    everything = [t for times in stats.times.values() for t in times]
    print(f"{'request':<{width}}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind in sorted(stats.times):
        times = stats.times[kind]
        print(f"{kind:<{width}}{len(times):>7}{pct(times, 50):>9.1f}{pct(times, 95):>9.1f}{max(times) * 1000:>9.1f}{stats.errors[kind]:>8}")
    total_errors = sum(stats.errors.values())
    print(f"{'ALL':<{width}}{len(everything):>7}{pct(everything, 50):>9.1f}{pct(everything, 95):>9.1f}"
          f"{max(everything) * 1000:>9.1f}{total_errors:>8}   ({len(everything) / elapsed:.0f} req/s)")
    for sample in stats.samples:
        print("  error sample:", sample)
    print(f"approvals answered: {dict(outcomes)} (302 = approved, 200 = refused with a message, e.g. cap reached)")
    print(check_caps(env).strip())
    return total_errors


if __name__ == "__main__":
    sys.exit(main())
