"""The demo data set: applicants of every kind, claims over all 21 items in every workflow state."""
