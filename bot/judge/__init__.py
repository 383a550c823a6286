"""Judging what was read: each count against its range, how soon to get care, and what the
conversation remembers between messages."""
