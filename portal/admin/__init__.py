"""Back-office pages: dealers, users, audit log, policy settings."""
