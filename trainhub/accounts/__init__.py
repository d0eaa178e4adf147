"""Sign-in, roles and the audit log."""
