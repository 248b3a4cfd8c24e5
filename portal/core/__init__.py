"""Cross-cutting services: permissions, audit, money, htmx, jobs, exports, errors."""
