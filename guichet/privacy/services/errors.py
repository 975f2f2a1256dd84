"""The refusal every privacy service raises."""


class PrivacyError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""
