"""Customers, deal registrations (项目报备), direct leads and protection (DESIGN §3.3)."""
