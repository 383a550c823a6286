"""Rasa custom actions for the white blood cell count bot.

Actions stay thin: they read slots and entities from the tracker, call the domain core in
`bot`, and utter the result. No medical logic lives here. `rasa run actions --actions actions`
loads this package; it has no actions yet.
"""
