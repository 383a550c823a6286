"""Reading a message: tokens, counts, temperatures, ages, other samples, signs present now, and
what it asks. Nothing here judges a value."""
