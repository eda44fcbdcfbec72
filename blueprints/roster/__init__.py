"""Member roster: Excel/CSV import of units and members, account issuance, member lists."""
