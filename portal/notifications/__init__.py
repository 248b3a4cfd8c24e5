"""In-app notifications (unread count in the header) and e-mail."""
