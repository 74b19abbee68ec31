"""Web pages of ipfund: the public calculator and notices, the applicant portal and the back office."""
