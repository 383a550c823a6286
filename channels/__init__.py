"""Rasa input channels of this bot: REST, Socket.IO (the web widget) and Telegram.

Each wraps Rasa's own channel and mixes in the same guard (channels/guard.py, GuardedChannel):
a per-sender rate limit, a reply within a deadline even when the action server or the database
is down, and no message text in the logs. credentials.yml registers them by module path.
"""
