"""Dealer scorecards: targets, KPIs, score and tier advice, charts (DESIGN §3.8)."""
