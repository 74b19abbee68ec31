"""Audit trail: every state change as an event in a hash chain that the application never edits."""
