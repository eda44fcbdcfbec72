"""Installable app: install instructions, install tracking for adoption figures."""
