"""The role dashboard and the health check."""
