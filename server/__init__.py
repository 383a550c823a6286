"""What runs the bot: settings from the environment, the launcher, stores, logging, the web page.

Nothing here holds medical logic; that is in `bot/`.
"""
