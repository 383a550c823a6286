"""Reply: the texts of a turn, in order, each medical text with its sources and the disclaimer.

The disclaimer is the one that fits the urgency.
"""
