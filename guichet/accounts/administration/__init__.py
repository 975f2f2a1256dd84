"""The Administration area (/administration/): an administrator gives and takes back unit
memberships and global roles, creates units and decides which unit owns which service.

Reads go through `guichet.accounts.selectors`, changes through the administration section of
`guichet.accounts.services`; see docs/accounts.md."""
