"""Statistics (统计) for the bureau and finance: amounts committed and paid, counts, time to payment."""
