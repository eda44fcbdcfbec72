"""Trợ lý ảo: answers members' Party-work questions from the app's own content, with sources."""
