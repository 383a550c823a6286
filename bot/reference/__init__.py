"""The reference: the sourced tables of ranges, limits and units, and the sentences that
name them (docs/clinical-reference.md)."""
