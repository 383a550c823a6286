"""Judge what was read: each count against its range, and how soon to get care.

It also keeps what the conversation remembers between messages.
"""
