"""政策沙盘 (the policy sandbox): scenarios and their runs, which never write to the ledger."""
