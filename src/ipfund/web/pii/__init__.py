"""Personal data at rest: encryption of resident ID numbers, bank accounts and phones, their
blind index, the pseudonym a person carries in the ledger, rotation, reveal and erasure."""
