"""Claims (申报): an applicant's claim for one item, its evidence, and the workflow table."""
