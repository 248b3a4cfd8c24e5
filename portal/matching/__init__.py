"""Pure name and contact matching of customer records (see docs/matching.md): no database, no app."""
