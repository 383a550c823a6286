"""Tests. A package, so test modules import as tests.* and never shadow the bot package."""
