"""Adoption and meeting figures for committee staff: who has an account, uses it, installed it,
and how many cells held their monthly meeting in the app."""
