"""The ledger's totals for the dashboard, kept by the database in each entry's own transaction.

The statistics dashboard sums the ledger by year and month of approval, policy, item, applicant
kind and round. Read from the entries, a province's 500,000 awards were grouped six times on every
view (15–20 s on the benchmark's database under load). Here a small table (`AwardTotal`: policy,
item, round, applicant kind, year, month → net amount in fen, grants) is kept by a trigger on the
ledger: the ledger is insert-only, so an AFTER INSERT trigger sees every entry there will ever be —
written by the services, `bulk_create` or raw SQL (the benchmarks' COPY) alike.

An entry counts where its grant does: a reversal or a reduction in its grant's year and month
(as budgets.selectors.approved_at reads it). Amounts are kept in fen, as integers: exact on both
databases (SQLite would sum decimals as floating point). The round and the applicant's kind are
read from the claim and its applicant when the entry is written; neither changes after an award.
The year and month are the approval's in the platform's time zone (settings.TIME_ZONE, written
into the trigger when the migration runs; on SQLite the zone's offset at new year, which is exact
for zones without summer time such as Asia/Shanghai).

On PostgreSQL the trigger is a constraint trigger deferred to commit, like the claims' state
counts (claims/state_counts.py): a total row is locked after every other lock the approval takes.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

TABLE = "ledger_awardtotal"
KEY = "policy, item, round_key, applicant_kind, year, month"


def _pg_part(part: str, ts: str) -> str:
    return f"EXTRACT({part} FROM {ts} AT TIME ZONE '{settings.TIME_ZONE}')::integer"


def _sqlite_part(part: str, ts: str) -> str:
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(datetime.datetime(2000, 1, 1))
    seconds = int(offset.total_seconds()) if offset else 0
    fmt = "%Y" if part == "YEAR" else "%m"
    return f"CAST(strftime('{fmt}', {ts}, '{seconds:+d} seconds') AS INTEGER)"


def _select(row: str, vendor: str, *, grouped: bool) -> str:
    """The total row(s) of the entries `row` names: NEW in a trigger, the table for the backfill."""
    part = _pg_part if vendor == "postgresql" else _sqlite_part
    approved = (f"COALESCE((SELECT g.created_at FROM ledger_awardentry g WHERE g.id = COALESCE({row}.reverses_id, "
                f"{row}.reduces_id)), {row}.created_at)")
    fen = f"CAST(ROUND({row}.amount * 100) AS BIGINT)" if vendor != "postgresql" else f"({row}.amount * 100)::bigint"
    grant = f"CASE WHEN {row}.kind = 'grant' THEN 1 ELSE 0 END"
    if grouped:
        fen, grant = f"SUM({fen})", f"SUM({grant})"
    columns = (f"{row}.policy, {row}.item, COALESCE(c.round_id, 0), p.kind, {part('YEAR', approved)}, "
               f"{part('MONTH', approved)}, {fen}, {grant}")
    source = "" if row == "NEW" else f" FROM ledger_awardentry {row}"
    joined = (f" JOIN claims_claim c ON c.id = {row}.claim_id JOIN accounts_applicantprofile p ON p.id = {row}.applicant_id"
              if source else " FROM claims_claim c JOIN accounts_applicantprofile p ON p.id = NEW.applicant_id")
    where = "" if source else " WHERE c.id = NEW.claim_id"
    group = " GROUP BY 1, 2, 3, 4, 5, 6" if grouped else ""
    return f"SELECT {columns}{source}{joined}{where}{group}"


def _upsert(select: str) -> str:
    return (f"INSERT INTO {TABLE} ({KEY}, fen, grants) {select} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET fen = {TABLE}.fen + excluded.fen, grants = {TABLE}.grants + excluded.grants")


def create_sql(vendor: str) -> list[str]:
    """The trigger, and the totals of the entries already there."""
    return [*trigger_sql(vendor), _upsert(_select("e", vendor, grouped=True))]


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION ledger_awardentry_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_upsert(_select('NEW', vendor, grouped=False))};
  RETURN NULL;
END $$""",
            "DROP TRIGGER IF EXISTS ledger_awardentry_total ON ledger_awardentry",
            "CREATE CONSTRAINT TRIGGER ledger_awardentry_total AFTER INSERT ON ledger_awardentry "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_awardentry_total()",
        ]
    return [f"CREATE TRIGGER ledger_awardentry_total AFTER INSERT ON ledger_awardentry BEGIN "
            f"{_upsert(_select('NEW', vendor, grouped=False))}; END"]


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP TRIGGER IF EXISTS ledger_awardentry_total ON ledger_awardentry",
                "DROP FUNCTION IF EXISTS ledger_awardentry_total()", f"DELETE FROM {TABLE}"]
    return ["DROP TRIGGER IF EXISTS ledger_awardentry_total", f"DELETE FROM {TABLE}"]
