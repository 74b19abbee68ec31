"""Approval latency against an empty ledger and against a full one (issue 20 item 10).

    .venv/bin/python bench/approval_latency.py                     # 500,000 awards, 100,000 applicants
    .venv/bin/python bench/approval_latency.py --awards 20000 --applicants 5000 --approvals 40   # quick

Builds, on the local PostgreSQL server, a seed database (``<prefix>_seed``: migrated, staff, open
rounds of three policies — the built-in zhaoqing-hitech-ip-2022 and, through IPFUND_POLICY_PATH,
the fictional successor and county fund of tests/fixtures/policies — and ``--applicants``
applicants, written with COPY), and copies it twice (CREATE DATABASE … TEMPLATE):

- ``<prefix>_full``: ``--awards`` awards written with COPY as ``ledger.services.award_grant``
  writes them — the claim (final, or revoked with its reversing entry), AwardEntry, DuplicateKey,
  CapBucket and the ledger's index of names (LedgerName). What each award is filed under (its
  duplicate key, cap groups and limits, every name of the index, the claim as the engine read it,
  the amount) comes from the platform's own door (``engine_door.ledger_fields`` and
  ``ledger_index_names``) on one claim of each shape with stand-in values, which are then replaced
  by each award's applicant and numbers; afterwards a random sample of the awards is checked
  against the door called on the stored claims themselves, and every cap bucket against the sum
  of the entries posted to it.
- ``<prefix>_empty``: the same claims, rejected, and no award: the ledger is the only difference.

Every applicant with awards has several, of several policies and years: 2022 custody subsidies
of two service years, a successor custody subsidy sharing the 2022 policy's bucket, a county
invention grant and a county custody subsidy under a yearly total; the applicants whose claims
are approved have ten more county grants in the yearly total they are approved against. So the
approvals measured touch items with hundreds of thousands of awards each and buckets that already
hold amounts (a successor or county custody claim is cut by its cap in the full ledger, which is
how the run shows that the ledger was read); a platform that replayed the awards of an item, or
of an applicant, would slow down with the ledger.

Then it alternates (empty, full, empty, full … ``--rounds`` pairs), each run in a fresh process
with Django set up against its database: ``--approvals`` claims of five kinds (a late 2022 patent
award, successor custody and portfolio claims, county grant and custody claims) submitted and
recommended through the services (not timed), ``--warmup`` approvals not counted, then each claim
approved through ``review.services.approval_approve`` — the real service, in its transaction —
timed with perf_counter. Prints p50/p95/max per run and per ledger, the ratio p95(full)/p95(empty)
(the goal is at most 1.2), the queries one approval makes, the plans of the two look-ups in the
full ledger (``--explain``), and the machine. Drops its databases at the end unless ``--keep``.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

OLD, NEW, COUNTY = "zhaoqing-hitech-ip-2022", "fictional-successor-2025", "fictional-county-fund-2026"
STAFF_PASSWORD = "Bench-Latency-2026"
# Stand-ins replaced by each award's own values (an identifier's normal form is itself).
STAND_IN_NUMBER = "STANDINTEXT"
STAND_IN_NAME = "STANDIN-APPLICANT-NAME"
# Applicants with ten more county grants in the yearly total their measured claims are decided against.
HOT_EXTRA_GRANTS = 10
MAX_EXTRA_GRANTS = 20  # 22 county awards of 5,000 yuan: 110,000 of the 150,000 yearly total

# An award's shape: (policy, item, event date, facts), "{n}" in a fact replaced by the award's number.
SHAPES = {
    "custody_2022_a": (OLD, "custody_sme", "2023-03-{d:02d}", {"service_year": 2022, "actual_cost": "{cost}"}),
    "custody_2022_b": (OLD, "custody_sme", "2024-03-{d:02d}", {"service_year": 2023, "actual_cost": "{cost}"}),
    "custody_2025": (NEW, "custody_sme", "2026-02-{d:02d}", {"service_year": 2025, "actual_cost": "5000.00"}),
    "invention_2026": (COUNTY, "invention_grant", "2026-03-{d:02d}", {"patent_number": "ZL{n}"}),
    "custody_2026": (COUNTY, "custody", "2026-04-{d:02d}", {"contract_no": "{n}", "contract_amount": "10000.00"}),
}
COSTS_2022 = ("4000.00", "8000.00", "12000.00")
BASE_SLOTS = ("custody_2022_a", "custody_2022_b", "custody_2025", "invention_2026", "custody_2026")
REVOKE_EVERY = 100  # one award in a hundred (of the first 2022 shape) revoked by a reversing entry


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipfund.web.config.settings")
    import django

    django.setup()


def _raw():
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    n = 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _set_sequence(cursor, table: str) -> None:
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")


# -- the seed database: staff, rounds, applicants --------------------------------------------------


def stage_base(args) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    t0 = time.time()
    call_command("migrate", verbosity=0)
    from ipfund.web.accounts.idgen import make_uscc
    from ipfund.web.accounts.models import ApplicantProfile
    from ipfund.web.accounts.services import staff_user_create
    from ipfund.web.pii.blind_index import blind_index
    from ipfund.web.pii.pseudonyms import applicant_identity
    from ipfund.web.rounds.services import round_create

    admin = staff_user_create(actor=None, username="bench-admin", password=STAFF_PASSWORD, roles=["admin"])
    staff_user_create(actor=None, username="bench-reviewer", password=STAFF_PASSWORD, roles=["reviewer"])
    staff_user_create(actor=None, username="bench-approver", password=STAFF_PASSWORD, roles=["approver"])
    now = timezone.now()
    for policy, items in ((OLD, ["china_patent_award", "custody_sme"]),
                          (NEW, ["custody_sme", "high_value_portfolio"]),
                          (COUNTY, ["invention_grant", "custody"])):
        rnd = round_create(actor=admin, policy=policy, name=f"基准测试批次（{policy}）", opens_at=now - dt.timedelta(days=1),
                           closes_at=now + dt.timedelta(days=60), items=items)
        if args.budget != "0":  # as a bureau runs it: an annual budget per policy and one per round, never reached here
            from ipfund.web.budgets.services import budget_set

            budget_set(actor=admin, policy=policy, year=timezone.localdate().year, amount=args.budget)
            budget_set(actor=admin, policy=policy, year=timezone.localdate().year, amount=args.budget, round=rnd)

    from ipfund.web.pii.fields import place, seal

    table = ApplicantProfile._meta.db_table

    def encrypted(name, value, pk):
        """The column's value as the platform writes it: sealed for its own row (pii/fields.py)."""
        return seal(value, place(table, name, pk)) if value else ""

    raw = _raw()
    with raw.transaction(), raw.cursor() as cursor:
        first_user, first_profile = _next_id(cursor, "accounts_user"), _next_id(cursor, "accounts_applicantprofile")
        stamp = now.isoformat()
        users = ((first_user + n, "!", None, False, f"la{n}", "", "", "", False, True, stamp, '["applicant"]', "", False)
                 for n in range(args.applicants))
        _copy(cursor, "accounts_user", ["id", "password", "last_login", "is_superuser", "username", "first_name",
                                        "last_name", "email", "is_staff", "is_active", "date_joined", "roles",
                                        "affiliation", "password_change_required"], users)

        def profiles():
            blank = ""
            for n in range(args.applicants):
                number = make_uscc("enterprise", 300000 + n)
                name = f"肇庆基准{n}号科技有限公司"
                yield (first_profile + n, "enterprise", encrypted("id_number", number, first_profile + n), name, "肇庆高新区", True, True,
                       "", blank, "中国工商银行肇庆分行", blank, stamp, first_user + n, "", None,
                       blind_index("id_number", number), applicant_identity("enterprise", number), name)

        _copy(cursor, "accounts_applicantprofile",
              ["id", "kind", "id_number", "name", "address", "in_zone", "sme", "contact_name", "contact_phone",
               "bank_name", "bank_account", "created_at", "user_id", "bank_account_index", "erased_at",
               "id_number_index", "ledger_identity", "bank_holder"], profiles())
        _set_sequence(cursor, "accounts_user")
        _set_sequence(cursor, "accounts_applicantprofile")
    print(f"  seed database: migrated, staff, 3 rounds, {args.applicants} applicants in {time.time() - t0:.1f}s",
          flush=True)


# -- the ledger -------------------------------------------------------------------------------------


class Shapes:
    """What award_grant writes for an award of each shape, found by the door on a stand-in claim."""

    def __init__(self):
        from ipfund.web.accounts.idgen import make_uscc
        from ipfund.web.pii.pseudonyms import applicant_identity

        self.stand_in_id = applicant_identity("enterprise", make_uscc("enterprise", 999_999))
        self.cache: dict[tuple, dict] = {}

    def of(self, shape: str, day: int, cost: str) -> dict:
        key = (shape, day, cost)
        if key not in self.cache:
            self.cache[key] = self._compute(shape, day, cost)
        return self.cache[key]

    def _compute(self, shape: str, day: int, cost: str) -> dict:
        import datetime as dt

        from ipfund.web.accounts.models import ApplicantProfile
        from ipfund.web.claims.models import Claim
        from ipfund.web.engine_door import ledger_fields, ledger_index_names, ledger_scope

        policy, item, date, facts = SHAPES[shape]
        facts = {k: v.format(n=STAND_IN_NUMBER, cost=cost) if isinstance(v, str) else v for k, v in facts.items()}
        profile = ApplicantProfile(kind="enterprise", ledger_identity=self.stand_in_id, in_zone=True, sme=True,
                                   name=STAND_IN_NAME)
        claim = Claim(applicant=profile, policy=policy, item=item, event_date=dt.date.fromisoformat(date.format(d=day)),
                      facts=facts)
        keys, judged = ledger_fields(claim)
        if not keys.eligible or keys.amount <= 0:
            raise SystemExit(f"shape {shape}: not awardable ({keys.reasons}, {keys.error})")
        index_keys, index_buckets = ledger_index_names(claim)
        key = keys.duplicate_key or ""
        groups = [(g.group, str(g.limit) if g.limit is not None else None, *ledger_scope(g.group))
                  for g in keys.cap_groups]
        template = {
            "policy": keys.policy, "amount": str(keys.amount), "facts": facts, "claim_data": judged,
            "key": key, "key_scope": list(ledger_scope(key)) if key else None, "groups": groups,
            "name_keys": list(dict.fromkeys([*([key] if key else []), *index_keys])),
            "name_buckets": list(dict.fromkeys([*(g[0] for g in groups), *index_buckets])),
        }
        text = json.dumps(template, ensure_ascii=False)
        assert self.stand_in_id in text, "the stand-in applicant appears in what is filed"
        return {"text": text, "item": item, "policy": policy}

    def award(self, shape: str, day: int, cost: str, identity: str, name: str, number: str) -> dict:
        t = self.of(shape, day, cost)["text"]
        t = t.replace(self.stand_in_id, identity).replace(STAND_IN_NUMBER, number)
        return json.loads(t.replace(STAND_IN_NAME, json.dumps(name, ensure_ascii=False)[1:-1]))


def _award_plan(args, applicants):
    """(applicant, shape, award number) in order: the measured applicants first, with the most."""
    hot = args.rounds * (args.approvals + args.warmup)
    # Fewer applicants than awards / 5 (province_scale's SMEs): more county grants each, within the yearly total.
    extra = min(MAX_EXTRA_GRANTS, max(0, -(-args.awards // max(1, len(applicants))) - len(BASE_SLOTS)))
    total, serial = 0, 0
    for index, applicant in enumerate(applicants):
        slots = list(BASE_SLOTS) + ["invention_2026"] * max(extra, HOT_EXTRA_GRANTS if index < hot else 0)
        for shape in slots:
            if total >= args.awards:
                return
            serial += 1
            total += 1
            yield applicant, shape, serial


CLAIM_COLUMNS = ["id", "policy", "item", "event_date", "facts", "state", "idempotency_key", "decision", "engine_amount",
                 "recommended_amount", "reduction_reason", "approved_amount", "review_comment", "decision_reason",
                 "created_at", "submitted_at", "updated_at", "applicant_id", "approver_id", "reviewer_id", "round_id",
                 "reference", "idempotency_digest", "policy_version"]
ENTRY_COLUMNS = ["id", "policy", "item", "kind", "amount", "claim_data", "duplicate_key", "cap_groups", "reason",
                 "created_at", "applicant_id", "claim_id", "created_by_id", "reverses_id"]


class Ledger:
    """Rows of the ledger's tables as award_grant (and award_revoke) write them, a chunk at a time."""

    def __init__(self, cursor):
        from decimal import Decimal

        self.zero = Decimal(0)
        self.entry, self.key, self.name = (_next_id(cursor, t) for t in
                                           ("ledger_awardentry", "ledger_duplicatekey", "ledger_ledgername"))
        self.buckets: dict[str, list] = {}  # group → [policy, item, limit or None, used, cap]
        self.entries, self.keys, self.names = [], [], []

    def award(self, a: dict, item: str, claim_id: int, applicant: int, at: str, approver: int, revoked: bool) -> None:
        from decimal import Decimal

        data = json.dumps(a["claim_data"], ensure_ascii=False)
        groups = json.dumps([g[0] for g in a["groups"]], ensure_ascii=False)
        amount = a["amount"]
        grant, self.entry = self.entry, self.entry + 1
        self.entries.append((grant, a["policy"], item, "grant", amount, data, a["key"], groups, "", at, applicant,
                             claim_id, approver, None))
        filed = [(grant, amount)]
        reversal = None
        if revoked:  # award_revoke: a reversing entry, the key released, the same names negated
            reversal, self.entry = self.entry, self.entry + 1
            self.entries.append((reversal, a["policy"], item, "reversal", f"-{amount}", data, a["key"], groups,
                                 "异议成立，撤销资助。", at, applicant, claim_id, approver, grant))
            filed.append((reversal, f"-{amount}"))
        if a["key"]:
            self.keys.append((self.key, *a["key_scope"], a["key"], grant, reversal))
            self.key += 1
        for entry, signed in filed:
            for kind, names in (("key", a["name_keys"]), ("bucket", a["name_buckets"])):
                for name in names:
                    self.names.append((self.name, kind, name, signed, entry))
                    self.name += 1
        for group, limit, scope_policy, scope_item in a["groups"]:
            b = self.buckets.setdefault(group, [scope_policy, scope_item, None, self.zero, self.zero])
            b[2] = Decimal(limit) if limit is not None else None
            b[3] += Decimal(amount)
            b[4] = b[2] if b[2] is not None else max(b[4], b[3])  # a top-up bucket's cap follows what it paid
            if revoked:
                b[3] -= Decimal(amount)

    def flush(self, cursor) -> tuple[int, int, int]:
        out = (_copy(cursor, "ledger_awardentry", ENTRY_COLUMNS, self.entries),
               _copy(cursor, "ledger_duplicatekey", ["id", "policy", "item", "key", "entry_id", "released_by_id"],
                     self.keys),
               _copy(cursor, "ledger_ledgername", ["id", "kind", "name", "amount", "entry_id"], self.names))
        self.entries, self.keys, self.names = [], [], []
        return out

    def write_buckets(self, cursor) -> int:
        over = [g for g, b in self.buckets.items() if b[3] > b[4] or b[3] < 0]
        if over:
            raise SystemExit(f"seeded buckets over their caps: {over[:3]}")
        first = _next_id(cursor, "ledger_capbucket")
        rows = ((n, b[0], b[1], g, b[4], b[3]) for n, (g, b) in enumerate(self.buckets.items(), first))
        return _copy(cursor, "ledger_capbucket", ["id", "policy", "item", "group", "cap", "used"], rows)


def stage_ledger(args) -> None:
    """The historical claims; in the full ledger each one's award as award_grant writes it, in the
    empty one the same claims rejected."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from ipfund.web.accounts.models import ApplicantProfile

    t0 = time.time()
    awarded = args.mode == "full"
    user = get_user_model()
    approver = user.objects.get(username=args.approver).pk
    reviewer = user.objects.get(username=args.reviewer).pk
    # The awards' shapes are an SME's: enterprises that are SMEs, of the applicants the run made.
    applicants = list(ApplicantProfile.objects.filter(user__username__regex=args.applicants_named, kind="enterprise",
                                                      sme=True, in_zone=True).order_by("id")
                      .values_list("id", "ledger_identity", "name"))
    shapes = Shapes()
    raw = _raw()
    with raw.cursor() as cursor:
        next_claim = _next_id(cursor, "claims_claim")
        ledger = Ledger(cursor)
    raw.commit()
    written = {"claims": 0, "entries": 0, "keys": 0, "names": 0, "revoked": 0}
    plan = _award_plan(args, applicants)
    chunk_size, done, first_2022 = 20_000, False, 0
    while not done:
        claims = []
        for (pk, identity, name), shape, serial in plan:
            day = 1 + serial % 28
            cost = COSTS_2022[serial % len(COSTS_2022)] if shape.startswith("custody_2022") else ""
            number = f"2026{serial:08d}.{serial % 10}" if shape == "invention_2026" else f"HT-{serial:08d}"
            a = shapes.award(shape, day, cost, identity, name, number)
            policy, item, _date, _facts = SHAPES[shape]
            claim_id, next_claim = next_claim, next_claim + 1
            a["claim_data"]["id"] = f"claim-{claim_id}"
            event = a["claim_data"]["event_date"]
            at = f"{event} 10:00:00+08"
            amount = a["amount"] if awarded else None
            first_2022 += shape == "custody_2022_a"
            revoked = awarded and shape == "custody_2022_a" and first_2022 % REVOKE_EVERY == 0
            state = ("revoked" if revoked else "final") if awarded else "rejected"
            claims.append((claim_id, policy, item, event, json.dumps(a["facts"], ensure_ascii=False), state, None, None,
                           a["amount"], amount, "", amount, "", "" if awarded else "经核查，不予资助。", at, at, at, pk,
                           approver if awarded else None, reviewer, None, f"HIST-{event[:4]}-{serial:07d}", "", ""))
            if awarded:
                ledger.award(a, item, claim_id, pk, at, approver, revoked)
                written["revoked"] += revoked
            if len(claims) >= chunk_size:
                break
        else:
            done = True
        with raw.transaction(), raw.cursor() as cursor:
            written["claims"] += _copy(cursor, "claims_claim", CLAIM_COLUMNS, claims)
            entries, keys, names = ledger.flush(cursor)
        written["entries"] += entries
        written["keys"] += keys
        written["names"] += names
        if claims and written["claims"] % 100_000 < chunk_size:
            print(f"    {written['claims']} claims, {time.time() - t0:.0f}s", flush=True)
    with raw.transaction(), raw.cursor() as cursor:
        written["buckets"] = ledger.write_buckets(cursor)
        for table in ("claims_claim", "ledger_awardentry", "ledger_duplicatekey", "ledger_ledgername", "ledger_capbucket"):
            _set_sequence(cursor, table)
    raw.autocommit = True
    from ipfund.web.budgets.services import budget_recount

    # The awards were written with COPY, not through award_grant: each budget's running total
    # (Budget.committed, what an approval reads) set to the ledger's sum, as the migration backfills.
    recounted = budget_recount()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a load
    print(f"  {args.mode} ledger: {written['claims']} claims, {written['entries']} ledger entries "
          f"({written['revoked']} of them reversals), {written['keys']} duplicate keys, {written['buckets']} cap "
          f"buckets, {written['names']} index names, {recounted} budget totals recounted; with VACUUM ANALYZE in {time.time() - t0:.1f}s", flush=True)


def stage_verify(args) -> None:
    """What was seeded against the door called on the stored claims, as award_grant calls it."""
    from collections import Counter

    from django.db import connection

    from ipfund.web.engine_door import ledger_fields, ledger_index_names
    from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey, LedgerName

    problems = []
    sample = AwardEntry.objects.filter(kind="grant").select_related("claim__applicant").order_by("?")[:args.verify]
    for entry in sample:
        keys, judged = ledger_fields(entry.claim)
        index_keys, index_buckets = ledger_index_names(entry.claim)
        groups = [g.group for g in keys.cap_groups]
        expected = Counter([("key", k) for k in dict.fromkeys([*([keys.duplicate_key] if keys.duplicate_key else []),
                                                                *index_keys])]
                           + [("bucket", b) for b in dict.fromkeys([*groups, *index_buckets])])
        filed = Counter(LedgerName.objects.filter(entry=entry).values_list("kind", "name"))
        held = list(DuplicateKey.objects.filter(entry=entry).values_list("key", flat=True))
        if (entry.duplicate_key, entry.cap_groups, entry.claim_data, entry.amount, entry.policy) != (
                keys.duplicate_key or "", groups, judged, keys.amount, keys.policy):
            problems.append(f"entry {entry.pk}: fields differ from the door's")
        if filed != expected or set(LedgerName.objects.filter(entry=entry).values_list("amount", flat=True)) != {entry.amount}:
            problems.append(f"entry {entry.pk}: index names differ from the door's")
        if held != ([keys.duplicate_key] if keys.duplicate_key else []):
            problems.append(f"entry {entry.pk}: duplicate key row differs")
        for g in keys.cap_groups:
            bucket = CapBucket.objects.filter(group=g.group).first()
            if bucket is None or (g.limit is not None and bucket.cap != g.limit):
                problems.append(f"entry {entry.pk}: bucket {g.group} missing or of another cap")
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM ledger_capbucket b FULL JOIN (
                SELECT g, sum(e.amount) AS total FROM ledger_awardentry e, jsonb_array_elements_text(e.cap_groups) g
                GROUP BY g) t ON t.g = b."group"
            WHERE b.id IS NULL OR t.g IS NULL OR b.used <> t.total""")
        mismatched = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM ledger_capbucket WHERE used > cap")
        over = cursor.fetchone()[0]
    if mismatched:
        problems.append(f"{mismatched} cap buckets whose used differs from the sum of the entries posted to them")
    if over:
        problems.append(f"{over} cap buckets over their caps")
    print(f"  verified {len(sample)} random awards against the door (fields, index names, duplicate key, bucket) and "
          f"{CapBucket.objects.count()} cap buckets against the ledger: {'ok' if not problems else 'PROBLEMS'}",
          flush=True)
    for p in problems[:10]:
        print(f"    {p}")
    if problems:
        raise SystemExit(1)


# -- the measured approvals ---------------------------------------------------------------------------


def _measured_claim(index: int, run: int):
    """(policy, item, event date, facts) of the index-th measured claim of a run."""
    import datetime as dt

    tag = f"{run:02d}{index:05d}"
    kinds = [
        (OLD, "china_patent_award", dt.date(2024, 11, 20), {"patent_number": f"ZL2024BM{tag}.1", "level": "gold"}),
        (NEW, "custody_sme", dt.date(2026, 6, 15), {"service_year": 2025, "actual_cost": "25000.00"}),
        (NEW, "high_value_portfolio", dt.date(2026, 6, 15),
         {"project_id": f"HVP-BM-{tag}", "actual_cost": "100000.00", "accepted": True}),
        (COUNTY, "invention_grant", dt.date(2026, 6, 15), {"patent_number": f"ZL2026BM{tag}.2"}),
        (COUNTY, "custody", dt.date(2026, 6, 15), {"contract_no": f"BM-{tag}", "contract_amount": "40000.00"}),
    ]
    return kinds[index % len(kinds)]


def stage_measure(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ipfund.web.accounts.models import ApplicantProfile
    from ipfund.web.claims.services import claim_draft_create, claim_submit
    from ipfund.web.demo import flow
    from ipfund.web.review.services import approval_approve, review_recommend

    user = get_user_model()
    reviewer, approver = user.objects.get(username="bench-reviewer"), user.objects.get(username="bench-approver")
    per_run = args.approvals + args.warmup
    profiles = list(ApplicantProfile.objects.filter(user__username__startswith="la").select_related("user")
                    .order_by("id")[args.run * per_run:(args.run + 1) * per_run])
    t0 = time.time()
    claims = []
    for index, profile in enumerate(profiles):
        policy, item, day, facts = _measured_claim(index, args.run)
        claim = claim_draft_create(actor=profile.user, item=item, event_date=day, facts=facts, policy=policy)
        flow.attach_all_evidence(profile.user, claim)
        claim = claim_submit(actor=profile.user, claim=claim)
        claims.append(review_recommend(actor=reviewer, claim=claim))
    prepared = time.time() - t0
    times, kinds, refused, amount, capped = [], [], 0, 0, 0
    queries = None
    for index, claim in enumerate(claims):
        if index == args.warmup - 1:
            with CaptureQueriesContext(connection) as captured:
                approval_approve(actor=approver, claim=claim)
            queries = len(captured.captured_queries)
            continue
        start = time.perf_counter()
        try:
            done = approval_approve(actor=approver, claim=claim)
        except Exception as exc:  # noqa: BLE001 - a refusal is counted and reported, the run goes on
            refused += 1
            if refused <= 3:
                print(f"    refused: {claim.item} {exc}", file=sys.stderr)
            continue
        elapsed = time.perf_counter() - start
        if index < args.warmup:
            continue
        times.append(elapsed)
        kinds.append(claim.item)
        amount += done.approved_amount
        capped += bool((done.decision or {}).get("capped"))
    explain = [line for claim in claims[-5:] for line in _explain(claim)] if args.explain else []
    print(json.dumps({"times": times, "kinds": kinds, "refused": refused, "approved_total": str(amount),
                      "capped": capped, "queries": queries, "prepared_s": prepared, "explain": explain}))


def _explain(claim) -> list[str]:
    """EXPLAIN ANALYZE of the two look-ups a decision of `claim` makes (its keys and buckets)."""
    from django.db import connection
    from django.db.models import Sum

    from ipfund.web.engine_door import ledger_fields, ledger_index_names
    from ipfund.web.ledger.models import LedgerName

    keys, _ = ledger_fields(claim)
    index_keys, index_buckets = ledger_index_names(claim)
    key_names = list(dict.fromkeys([*([keys.duplicate_key] if keys.duplicate_key else []), *index_keys]))
    bucket_names = list(dict.fromkeys([*(g.group for g in keys.cap_groups), *index_buckets]))
    queries = {
        "held_keys": (LedgerName.objects.filter(kind=LedgerName.KEY, name__in=key_names or ["-"])
                      .values("name", "entry__claim_id").annotate(net=Sum("amount")).filter(net__gt=0)
                      .values_list("name", "entry__claim_id")),
        "bucket_amounts": (LedgerName.objects.filter(kind=LedgerName.BUCKET, name__in=bucket_names or ["-"])
                           .values("name").annotate(total=Sum("amount")).values_list("name", "total")),
    }
    out = []
    with connection.cursor() as cursor:
        for label, qs in queries.items():
            sql, params = qs.query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            out.append(f"{label} ({claim.item}):")
            out += ["  " + row[0] for row in cursor.fetchall()]
    return out


# -- the run --------------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _figures(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"n={len(ms)}  p50 {statistics.median(ms):6.1f} ms  p95 {_percentile(ms, 0.95):6.1f} ms  "
            f"max {max(ms):6.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=500_000)
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--approvals", type=int, default=200, help="approvals timed in each run")
    parser.add_argument("--warmup", type=int, default=10, help="approvals before them, not counted")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs (empty, full)")
    parser.add_argument("--verify", type=int, default=300, help="seeded awards checked against the door")
    parser.add_argument("--budget", default="5000000000",
                        help="yuan of each policy's annual budget and of each round's budget, which every approval "
                             "checks (budget_guard); 0 for no budgets")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--prefix", default="h_bench", help="databases <prefix>_seed, <prefix>_empty, <prefix>_full")
    parser.add_argument("--explain", action="store_true", help="print the plans of the two look-ups (full ledger)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--measure-only", action="store_true",
                        help="measure the databases an earlier --keep run left (after a migration, say), with "
                             "applicants after those it measured (--first-run: how many runs it made; those have "
                             "the five awards every applicant has, not the ten more grants)")
    parser.add_argument("--first-run", type=int, default=0, help="the first run's number (its applicants)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    # The stage "ledger" alone serves bench/province_scale.py, whose applicants are named p0, p1 …
    parser.add_argument("--applicants-named", default=r"^la[0-9]+$", help=argparse.SUPPRESS)
    parser.add_argument("--approver", default="bench-approver", help=argparse.SUPPRESS)
    parser.add_argument("--reviewer", default="bench-reviewer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    server = urllib.parse.urlparse(args.server)

    def url(db: str) -> str:
        return server._replace(path=f"/{db}").geturl()

    if args.stage:
        _django(url(args.database))
        {"base": stage_base, "ledger": stage_ledger, "verify": stage_verify, "measure": stage_measure}[args.stage](args)
        return 0

    print(f"machine: {machine.describe()}", flush=True)
    env = {**os.environ, "IPFUND_POLICY_PATH": str(ROOT / "tests/fixtures/policies"),
           "IPFUND_DATA_DIR": str(ROOT / "bench/out/approval_latency"), "IPFUND_LOG_LEVEL": "ERROR",
           "IPFUND_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    Path(env["IPFUND_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    common = ["--awards", str(args.awards), "--applicants", str(args.applicants), "--approvals", str(args.approvals),
              "--warmup", str(args.warmup), "--rounds", str(args.rounds), "--verify", str(args.verify),
              "--budget", args.budget,
              "--server", args.server]
    seed, dbs = f"{args.prefix}_seed", {"empty": f"{args.prefix}_empty", "full": f"{args.prefix}_full"}

    def stage(name: str, db: str, *extra: str, capture: bool = False) -> str:
        done = subprocess.run([PY, __file__, "--stage", name, "--database", db, *common, *extra], env=env, check=True,
                              stdout=subprocess.PIPE if capture else None, text=True)
        return done.stdout or ""

    def psql(sql: str) -> None:
        subprocess.run(["psql", "-q", "-h", server.hostname or "127.0.0.1", "-p", str(server.port or 5432),
                        "-U", server.username or "postgres", "-d", server.path.lstrip("/") or "postgres", "-c", sql],
                       check=True)

    t0 = time.time()
    if not args.measure_only:
        for db in (seed, *dbs.values()):
            psql(f"DROP DATABASE IF EXISTS {db}")
        psql(f"CREATE DATABASE {seed}")
        stage("base", seed)
        for db in dbs.values():
            psql(f"CREATE DATABASE {db} TEMPLATE {seed}")
        for mode, db in dbs.items():
            stage("ledger", db, "--mode", mode)
        stage("verify", dbs["full"])
        print(f"databases built in {time.time() - t0:.0f}s", flush=True)

    runs: dict[str, list[dict]] = {"empty": [], "full": []}
    for run in range(args.first_run, args.first_run + args.rounds):
        for mode in ("empty", "full"):
            extra = ["--run", str(run)] + (["--explain"] if args.explain and mode == "full" and run == args.first_run else [])
            out = stage("measure", dbs[mode], *extra, capture=True)
            result = json.loads(out.strip().splitlines()[-1])
            runs[mode].append(result)
            print(f"run {run + 1} {mode:5}: {_figures(result['times'])}  ({result['queries']} queries an approval; "
                  f"{result['capped']} cut by a cap; approved {result['approved_total']} yuan; "
                  f"{result['refused']} refused; claims prepared in {result['prepared_s']:.0f}s)", flush=True)
            for line in result["explain"]:
                print("    " + line)

    budgets = f"budgets of {args.budget} yuan a policy and a round" if args.budget != "0" else "no budgets"
    print(f"\nPostgreSQL, {args.applicants} applicants; the full ledger {args.awards} awards over the policies "
          f"{OLD}, {NEW}, {COUNTY}; {budgets}; {args.approvals} approvals a run through approval_approve, "
          f"{args.rounds} runs each, alternating")
    pooled = {mode: [t for r in results for t in r["times"]] for mode, results in runs.items()}
    for mode in ("empty", "full"):
        print(f"  {mode:5} ledger: {_figures(pooled[mode])}")
    by_kind: dict[str, dict[str, list[float]]] = {}
    for mode, results in runs.items():
        for r in results:
            for kind, t in zip(r["kinds"], r["times"]):
                by_kind.setdefault(kind, {"empty": [], "full": []})[mode].append(t)
    for kind, times in sorted(by_kind.items()):
        print(f"    {kind:22} p95 empty {_percentile(times['empty'], 0.95) * 1000:6.1f} ms, "
              f"full {_percentile(times['full'], 0.95) * 1000:6.1f} ms")
    ratio = _percentile(pooled["full"], 0.95) / _percentile(pooled["empty"], 0.95)
    pairs = [_percentile(f["times"], 0.95) / _percentile(e["times"], 0.95) for e, f in zip(runs["empty"], runs["full"])]
    print(f"  p95(full)/p95(empty) = {ratio:.2f} (each pair: {', '.join(f'{p:.2f}' for p in pairs)}); goal <= 1.2: "
          f"{'met' if ratio <= 1.2 else 'NOT met'}")
    print(f"machine at the end: load average {os.getloadavg()[0]:.2f}")
    if not args.keep:
        for db in (seed, *dbs.values()):
            psql(f"DROP DATABASE IF EXISTS {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
