"""The `ipfund` console command: one module per sub-command."""
