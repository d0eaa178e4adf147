"""The registry of teachers."""
