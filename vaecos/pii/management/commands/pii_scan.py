"""`python manage.py pii_scan [--format json] PATH...`: personal data in .txt, .docx and .pdf files.

For a .txt file, `start`/`end` are character offsets into its text (UTF-8). For a .docx file they
are offsets into its paragraphs' and tables' text, one paragraph per line; for a .pdf file, into
its pages' text, pages separated by a form feed (\\f). Exit status: 0, or 2 when a file could not
be read; with --fail-on-findings, 1 when something was found (for automation).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vaecos.pii import pdf
from vaecos.pii.detection import scan_text


def docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def file_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".docx":
        return docx_text(path)
    if suffix == ".pdf":
        return "\f".join(page.text for page in pdf.pages_text(path.read_bytes()))
    raise ValueError(f"{path} : format non pris en charge (.txt, .docx ou .pdf attendu)")


class Command(BaseCommand):
    help = "Cherche les données personnelles dans des fichiers .txt, .docx et .pdf."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--fail-on-findings",
            action="store_true",
            help="Code de sortie 1 si des données personnelles sont trouvées.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[dict[str, Any]] = []
        unreadable = 0
        for raw in options["paths"]:
            path = Path(raw)
            entry: dict[str, Any] = {"path": raw, "findings": []}
            try:
                text = file_text(path)
            except Exception as exc:  # one bad file must not stop the others
                unreadable += 1
                entry["error"] = (
                    str(exc)
                    if isinstance(exc, ValueError)
                    else f"{raw} : illisible ({exc.__class__.__name__})"
                )
                files.append(entry)
                continue
            entry["findings"] = [
                {"label": f.label, "start": f.start, "end": f.end, "text": f.text}
                for f in scan_text(text)
            ]
            files.append(entry)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"files": files}, ensure_ascii=False, indent=2))
        else:
            for entry in files:
                if "error" in entry:
                    self.stderr.write(entry["error"])
                    continue
                self.stdout.write(f"{entry['path']} : {len(entry['findings'])} donnée(s)")
                for f in entry["findings"]:
                    self.stdout.write(f"  {f['start']}-{f['end']}  {f['label']:<11} {f['text']}")
        if unreadable and unreadable == len(files):
            raise CommandError("Aucun fichier n'a pu être lu.", returncode=2)
        if unreadable:
            sys.exit(2)
        if options["fail_on_findings"] and any(entry["findings"] for entry in files):
            sys.exit(1)
