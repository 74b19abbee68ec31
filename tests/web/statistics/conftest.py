"""The statistics tests use the payment tests' awards waiting for payment."""

from ..payments.conftest import final_claims  # noqa: F401  (a fixture)
