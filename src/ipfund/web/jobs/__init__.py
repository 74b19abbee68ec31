"""Background jobs: large exports and batches of letters run outside the web request, with progress."""
