"""Notifications: in-app messages for every change to an applicant's claims, and the same by e-mail."""
