"""The 政策库 (policy library): the installed policy packages, and uploaded ones activated after check and test."""
