"""Every write of the points app: rules (rules.py), the ledger and its roll-ups (ledger.py), claims and the
monthly cycle (cycle.py)."""
