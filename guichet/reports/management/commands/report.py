"""guichet report --fiscal-year 2025-2026 [--format csv|html|pdf|xlsx] [--output FILE] [--freeze]

The annual management report of a fiscal year, computed from the dossiers' events. Without
--output, CSV (and HTML) go to standard output; progress goes to standard error.
"""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.catalogue.models import Declaration
from guichet.cli import OneLineErrorsMixin, fail
from guichet.reports.annual import SnapshotAltered, annual_report
from guichet.reports.fiscal import FiscalYear, FiscalYearError
from guichet.reports.formats import FORMATS, render
from guichet.reports.services import ReportError, report_freeze


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Produit le rapport annuel de gestion d'un exercice (1er avril au 31 mars) à partir des "
        "événements des dossiers : une ligne par engagement publié, son résultat, son volume et "
        "ceux des deux exercices précédents, puis les délais de traitement par service."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fiscal-year", required=True, help="l'exercice, p. ex. 2025-2026")
        parser.add_argument("--format", default="csv", help=f"{', '.join(FORMATS)} (défaut : csv)")
        parser.add_argument(
            "--output", type=Path, default=None, help="fichier à écrire (défaut : la sortie)"
        )
        parser.add_argument(
            "--freeze",
            action="store_true",
            help="figer l'exercice (clos) : ses chiffres publiés ne changeront plus",
        )

    def handle(
        self,
        *args: Any,
        fiscal_year: str,
        format: str,  # noqa: A002 (the option's name)
        output: Path | None,
        freeze: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        try:
            fy = FiscalYear.parse(fiscal_year)
        except FiscalYearError as exc:
            fail(f"guichet report : {exc}")
        if not fy.has_started(timezone.localdate()):
            fail(
                f"guichet report : l'exercice {fy} n'a pas commencé (il commence le "
                f"{fy.first_day.isoformat()})"
            )
        if format not in FORMATS:
            fail(
                f"guichet report : format « {format} » inconnu : choisissez "
                f"{', '.join(FORMATS[:-1])} ou {FORMATS[-1]}"
            )
        if format in ("pdf", "xlsx") and output is None:
            fail(f"guichet report : le format {format} s'écrit dans un fichier : ajoutez --output")
        if not Declaration.objects.exists():
            fail(
                "guichet report : aucune déclaration chargée : lancez « guichet load-declaration "
                "declarations/micc.toml »"
            )
        started = time.perf_counter()

        def progress(message: str) -> None:
            if verbosity >= 1:
                elapsed = time.perf_counter() - started
                self.stderr.write(f"[{elapsed:5.1f} s] {message}")
                self.stderr.flush()

        try:
            if freeze:
                snapshot = report_freeze(
                    fiscal_year=fy, actor=None, actor_label="guichet report", progress=progress
                )
                progress(f"exercice {fy} figé ; empreinte SHA-256 {snapshot.checksum}")
            report = annual_report(fy, progress=progress)
        except (ReportError, SnapshotAltered) as exc:
            fail(f"guichet report : {exc}")
        progress(f"mise en forme ({format})")
        body = render(report, format)
        if output is None:
            # Bytes, as they are: the CSV of the same data is the same file.
            stream: Any = self.stdout._out  # OutputWrapper's real stream
            raw = getattr(stream, "buffer", None)
            if raw is not None:
                stream.flush()
                raw.write(body)
                raw.flush()
            else:  # a text stream (call_command's StringIO)
                stream.write(body.decode("utf-8"))
        else:
            output.write_bytes(body)
            progress(f"écrit : {output} ({len(body):,} octets)".replace(",", " "))
        progress("terminé")
