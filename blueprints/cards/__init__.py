"""Party-card requests: members ask for a new card, committee staff handle a queue."""
