"""What an import did, or would do: counts and the rejected rows."""

from dataclasses import dataclass, field
from typing import NamedTuple


class ImportFileError(ValueError):
    """The whole file is refused (unreadable, bad headers, no permission): nothing imported."""


class Rejection(NamedTuple):
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # the column header as written in the file
    message: str


@dataclass
class ImportReport:
    filename: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    places_created: int = 0
    dry_run: bool = False
    all_or_nothing_aborted: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({rejection.row for rejection in self.rejected})

    @property
    def written(self) -> bool:
        return not (self.dry_run or self.all_or_nothing_aborted)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected_rows, "places_created": self.places_created}
