"""Excel exports (openpyxl in write-only mode): queues with their filters, award lists, finance's
bank batch file, annual statistics. Rows come from a queryset iterator and go straight to disk."""
