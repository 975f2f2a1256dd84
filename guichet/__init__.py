"""Guichet: runs a public body's service declaration end to end."""
