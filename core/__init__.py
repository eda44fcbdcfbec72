"""Shared infrastructure: extensions, security, text helpers."""
