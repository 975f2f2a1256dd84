"""Records that are only ever added to: histories and logs whose rows nobody edits or removes.

`AppendOnly` refuses, in Python, to save a row again or to delete it. The database refuses too
where the law asks for it (the access log, dossier events, the steps of a request: triggers in
their migrations). Deleting many rows at once (a purge, a cascade) goes through the database
and its own rules, not through these methods.
"""

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(ValueError):
    """An attempt to change or remove a row of an append-only record."""


class AppendOnly(models.Model):
    # What the record is called in the refusal, e.g. "le journal des accès".
    record_name: ClassVar[str] = "cet historique"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self.record_name} ne se modifie pas")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self.record_name} ne se supprime pas")
