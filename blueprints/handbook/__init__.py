"""Handbook chapters, official documents and news: reading, search and the editorial workflow.

All three are `Article` rows of a different `kind`, so they share one editorial workflow
(draft → in review → published → archived), one revision history, one search index and one
unit targeting rule. Readers see only published articles targeted to a unit on their path.
"""
