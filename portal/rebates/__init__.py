"""Rebates (返利): programs, runs, statements and their PDF (DESIGN.md §3.6).

The arithmetic lives in `calc` (tiered bands, entitlement) and `amount_words` (大写金额); both are
pure so that they can be tested exhaustively without an app or a database.
"""
