"""Shared pytest fixtures live in guichet/testing.py."""

pytest_plugins = ["guichet.testing"]
