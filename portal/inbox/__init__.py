"""The head-office inbox: work awaiting one user's decision, across the domains (DESIGN §3.9)."""
