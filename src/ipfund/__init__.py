"""ipfund: the policy as code and the platform that pays IP incentive awards."""

__version__ = "0.1.0"
