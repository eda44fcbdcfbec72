"""Accounts, login sessions and role assignments."""
