"""Party members: the roster and each member's own card."""
