"""The reference: the sourced tables of ranges, limits and units, and the sentences that name them.

See docs/clinical-reference.md.
"""
