"""How many claims each state holds, kept by the database in the claim's own transaction.

The statistics dashboard counts claims per state for a policy, a round and a year of submission.
Counted from the claims, a province's million rows are read on every view; here a small table
(`StateCount`: policy, round, year of submission, state → n) is kept up to date by triggers on
the claims table — AFTER INSERT, DELETE and UPDATE of the columns the key is made of — so that
every change of a claim, through the ORM, `bulk_create` or raw SQL, changes its count in the
same transaction, and the dashboard sums a few rows.

The year is the submission's year in the platform's time zone (settings.TIME_ZONE), as Django's
`submitted_at__year` reads it (the zone is written into the triggers when the migration runs: a
platform that changes TIME_ZONE later runs the migration backwards and forwards again); 0 for a
claim not submitted, and round 0 for a claim of no round.
On PostgreSQL the trigger is a constraint trigger deferred to the end of the transaction
(`DEFERRABLE INITIALLY DEFERRED`): a count row is locked only when the transaction commits,
after every other lock it takes (the claim, the budget, the cap buckets, the audit chain). Taken
at the change itself, it was held while those were waited for, and an approval that had locked
the audit chain waited for a count row held by a recommendation waiting for the audit chain:
a deadlock, seen under load at province scale. At commit, each change locks its two count rows
in one fixed order (the key's), so transactions moving claims between the same two states in
opposite directions wait for each other instead of deadlocking.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

TABLE = "claims_statecount"


def _pg_year(row: str) -> str:
    return f"COALESCE(EXTRACT(YEAR FROM {row}.submitted_at AT TIME ZONE '{settings.TIME_ZONE}')::integer, 0)"


def _sqlite_year(row: str) -> str:
    # Django keeps SQLite datetimes as UTC text; the zone's offset at new year (the only moment
    # the year can turn) shifts it, in whole seconds.
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(datetime.datetime(2000, 1, 1))
    seconds = int(offset.total_seconds()) if offset else 0
    return f"COALESCE(CAST(strftime('%Y', {row}.submitted_at, '{seconds:+d} seconds') AS INTEGER), 0)"


def _values(row: str, year) -> str:
    return f"{row}.policy, COALESCE({row}.round_id, 0), {year(row)}, {row}.state"


def _where(row: str, year) -> str:
    return (f"policy = {row}.policy AND round_key = COALESCE({row}.round_id, 0) "
            f"AND year = {year(row)} AND state = {row}.state")


def _upsert(row: str, year) -> str:
    return (f"INSERT INTO {TABLE} (policy, round_key, year, state, n) VALUES ({_values(row, year)}, 1) "
            f"ON CONFLICT (policy, round_key, year, state) DO UPDATE SET n = {TABLE}.n + 1")


def _decrement(row: str, year) -> str:
    return f"UPDATE {TABLE} SET n = n - 1 WHERE {_where(row, year)}"


_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("policy", "round_id", "submitted_at", "state"))


def _backfill(year) -> str:
    return (f"INSERT INTO {TABLE} (policy, round_key, year, state, n) "
            f"SELECT policy, COALESCE(round_id, 0), {year('claims_claim')}, state, COUNT(*) FROM claims_claim "
            f"GROUP BY policy, COALESCE(round_id, 0), {year('claims_claim')}, state")


def create_sql(vendor: str) -> list[str]:
    """The triggers, and the counts of the claims already there."""
    y = _pg_year if vendor == "postgresql" else _sqlite_year
    return [*trigger_sql(vendor), _backfill(y)]


def trigger_sql(vendor: str, deferred: bool = True) -> list[str]:
    """The triggers alone (`deferred`: on PostgreSQL, at commit — see the module's text)."""
    if vendor == "postgresql":
        y = _pg_year
        new_key = f"ROW({_values('NEW', y)})"
        old_key = f"ROW({_values('OLD', y)})"
        return [
            f"""CREATE OR REPLACE FUNCTION claims_claim_state_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_upsert('NEW', y)};
  ELSIF TG_OP = 'DELETE' THEN
    {_decrement('OLD', y)};
  ELSIF {new_key} IS DISTINCT FROM {old_key} THEN
    IF {new_key} < {old_key} THEN
      {_upsert('NEW', y)};
      {_decrement('OLD', y)};
    ELSE
      {_decrement('OLD', y)};
      {_upsert('NEW', y)};
    END IF;
  END IF;
  RETURN NULL;
END $$""",
            "DROP TRIGGER IF EXISTS claims_claim_state_count ON claims_claim",
            ("CREATE CONSTRAINT TRIGGER" if deferred else "CREATE TRIGGER")
            + " claims_claim_state_count AFTER INSERT OR DELETE OR UPDATE OF policy, round_id, "
            "submitted_at, state ON claims_claim "
            + ("DEFERRABLE INITIALLY DEFERRED " if deferred else "")
            + "FOR EACH ROW EXECUTE FUNCTION claims_claim_state_count()",
        ]
    y = _sqlite_year
    return [
        f"CREATE TRIGGER claims_claim_count_insert AFTER INSERT ON claims_claim BEGIN {_upsert('NEW', y)}; END",
        f"CREATE TRIGGER claims_claim_count_delete AFTER DELETE ON claims_claim BEGIN {_decrement('OLD', y)}; END",
        f"CREATE TRIGGER claims_claim_count_update AFTER UPDATE OF policy, round_id, submitted_at, state "
        f"ON claims_claim WHEN {_CHANGED} BEGIN {_decrement('OLD', y)}; {_upsert('NEW', y)}; END",
    ]


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP TRIGGER IF EXISTS claims_claim_state_count ON claims_claim",
                "DROP FUNCTION IF EXISTS claims_claim_state_count()", f"DELETE FROM {TABLE}"]
    return [f"DROP TRIGGER IF EXISTS claims_claim_count_{op}" for op in ("insert", "delete", "update")] + [
        f"DELETE FROM {TABLE}"]


def state_counts(*, policy: str | None = None, round_id: int | None = None, year: int | None = None,
                 submitted_only: bool = True) -> dict[str, int]:
    """state → how many claims, for the filters given (drafts left out unless asked for)."""
    from django.db.models import Sum

    from .models import StateCount
    from .workflow import State

    rows = StateCount.objects.filter(n__gt=0)
    if policy:
        rows = rows.filter(policy=policy)
    if round_id is not None:
        rows = rows.filter(round_key=round_id)
    if year is not None:
        rows = rows.filter(year=year)
    if submitted_only:
        rows = rows.exclude(state=State.DRAFT)
    return {state: int(n) for state, n in rows.values_list("state").annotate(total=Sum("n")).order_by() if n}
