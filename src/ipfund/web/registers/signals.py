"""What the registers tell the apps built on them, which they do not import (they import registers)."""

from ipfund.web.hooks import RequiredSignal

# A register's new version was imported: sent with upload= (the RegisterImport, its rows written)
# inside the import's transaction. Promises (PromisesConfig.ready) flags, after an enterprise
# register's import, each promise in its term whose enterprise is now out of the zone or deregistered.
register_imported = RequiredSignal("register_imported", "promises")
