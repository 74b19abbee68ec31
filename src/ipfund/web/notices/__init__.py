"""The public notice (公示) of approved awards, and objections to it."""
