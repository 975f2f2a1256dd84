"""guichet purge [--apply] [--as-of DATE] [--file PATH]: apply the retention calendar.

Without --apply nothing is written: the command lists what is due, kind by kind. With
--apply it destroys or anonymizes it in one transaction (see guichet/privacy/purge.py).
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.append_only import NotOwnerError, require_owner
from guichet.cli import OneLineErrorsMixin, fail
from guichet.datafiles import DataFileError
from guichet.dossiers.drafts import drafts_forget_older_than
from guichet.privacy.purge import KindPlan, PurgePlan, purge_apply, purge_plan
from guichet.privacy.retention import RecordKind, RetentionAction, read_retention

VERBS = {
    RetentionAction.DESTROY: ("à détruire", "détruit(s)"),
    RetentionAction.ANONYMIZE: ("à anonymiser", "anonymisé(s)"),
}


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Applique le calendrier de conservation (privacy/retention.toml) : sans --apply, "
        "montre ce qui est dû sans rien modifier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="détruire et anonymiser")
        parser.add_argument("--as-of", help="date d'application AAAA-MM-JJ (aujourd'hui)")
        parser.add_argument("--file", help="calendrier de conservation à lire")

    def handle(
        self, *args: Any, apply: bool, as_of: str | None, file: str | None, **o: Any
    ) -> None:
        today = timezone.localdate()
        day = today
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                fail(f"guichet purge : --as-of « {as_of} » : date invalide (AAAA-MM-JJ)")
        if apply and day > today:
            fail(
                f"guichet purge : --apply avec --as-of {day} dans le futur : rien ne se détruit "
                "avant son terme"
            )
        try:
            calendar = read_retention(Path(file) if file else None)
        except DataFileError as exc:
            fail(str(exc))
        if apply:
            try:
                require_owner()
            except NotOwnerError as exc:
                fail(f"guichet purge : {exc}")
        plan = purge_plan(calendar, day)
        if apply:
            purge_apply(plan)
            self.stdout.write(f"Purge au {day} selon {calendar.path} : exécutée.")
            # Files of online requests never sent (guichet/dossiers/drafts.py), a day old.
            gone = drafts_forget_older_than()
            if gone:
                self.stdout.write(f"Fichiers de demandes jamais envoyées effacés : {gone}.")
        else:
            self.stdout.write(
                f"Purge au {day} selon {calendar.path} : simulation, rien n'est modifié "
                "(--apply pour exécuter)."
            )
        for kind_plan in plan.kinds:
            self._report(kind_plan, plan, applied=apply)

    def _report(self, kind_plan: KindPlan, plan: PurgePlan, *, applied: bool) -> None:
        rule = kind_plan.rule
        todo, done = VERBS[rule.action]
        if applied:
            count = (
                kind_plan.count
                if rule.kind == RecordKind.ACCESS_LOG
                else sum(1 for i in kind_plan.items if i.done)
            )
            verb = done
        else:
            count, verb = kind_plan.due_count, todo
        self.stdout.write(
            f"{rule.kind.value} ({rule.summary}) : {count} {verb}, "
            f"{kind_plan.held_total} sous conservation légale"
        )
        for item in kind_plan.items:
            if item.held:
                note = " : retenu (conservation légale)"
            elif item.refusal:
                note = f" : non traité ({item.refusal})"
            elif applied and not item.done:
                note = " : déjà traité"
            else:
                note = ""
            self.stdout.write(f"  {item.label}{note}")
