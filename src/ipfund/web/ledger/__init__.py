"""The award ledger: insert-only award entries, duplicate keys and cap buckets kept by the database."""
