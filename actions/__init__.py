"""Rasa custom actions, kept thin: load the slots, call the core in bot/, send what it says.

Nothing here decides anything medical.
"""
