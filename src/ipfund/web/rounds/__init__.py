"""Application rounds (申报批次) and the bureau's interpretation choices of the policy."""
