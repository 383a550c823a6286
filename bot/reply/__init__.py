"""Replying: the texts of a turn, in order, each medical text with its sources and the
disclaimer that fits the urgency."""
