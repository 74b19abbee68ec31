"""Accounts: users with roles, and applicants bound to a verified credit code or ID number."""
