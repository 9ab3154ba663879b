"""One module per source; each exposes `parse(path, *, options) -> Iterator[Item]`.

A parser yields canonical records (interop/canonical.py) and `Unreadable` lines, and raises
`ImportFileError` for a file it cannot read at all (wrong format, wrong encoding, too big, a
hostile archive or XML). Parsers are plain Python: no ORM, no settings beyond the limits below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from interlude.interop.canonical import ImportFileError, Item, ParseOptions
from interlude.interop.enums import ImportSource

Parser = Callable[..., Iterator[Item]]


def parser_for(source: ImportSource) -> Parser:
    # Imported here so one broken parser does not stop the others from loading.
    if source == ImportSource.DAYLIO:
        from interlude.interop.importers import daylio

        return daylio.parse
    if source == ImportSource.BEARABLE:
        from interlude.interop.importers import bearable

        return bearable.parse
    if source == ImportSource.APPLE_HEALTH:
        from interlude.interop.importers import apple_health

        return apple_health.parse
    if source == ImportSource.FHIR:
        from interlude.interop.importers import fhir_bundle

        return fhir_bundle.parse
    if source == ImportSource.CSV:
        from interlude.interop.importers import generic_csv

        return generic_csv.parse
    raise ImportFileError(f"Interlude cannot read files from {source!r}.")


def parse_file(*, source: ImportSource, path: Path, options: ParseOptions) -> Iterator[Item]:
    return parser_for(source)(path, options=options)


__all__ = ["ImportFileError", "ParseOptions", "parse_file", "parser_for"]
