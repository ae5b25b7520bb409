"""GitHub behind a port: the REST adapter, the ledger ref, the checkout, the mirror, the thread context."""
