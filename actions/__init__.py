"""Rasa custom actions: thin. They load the slots, call the pure core in bot/, and send what it
says. Nothing here decides anything medical."""
