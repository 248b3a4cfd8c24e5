"""Demo data (`flask seed demo`)."""
