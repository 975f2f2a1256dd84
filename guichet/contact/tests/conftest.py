"""The real mail servers of the e-mail tests (servers.py) as fixtures of this folder."""

from guichet.contact.tests.servers import imap_server, smtp_server

__all__ = ["imap_server", "smtp_server"]
