"""Read a message: tokens, counts, temperatures, ages, samples, signs present now, what it asks.

Nothing here judges a value.
"""
