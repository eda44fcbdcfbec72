"""Administration: role assignments and the audit log."""
