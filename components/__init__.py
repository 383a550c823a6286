"""Custom Rasa NLU components; thin wrappers over bot/."""
