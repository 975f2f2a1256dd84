"""The survey rows of the dashboard and the annual report (guichet/measures.py, shares)."""

from guichet.surveys.results import satisfaction

__all__ = ["satisfaction"]
