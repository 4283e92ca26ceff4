"""An import rejected: the row-level errors (row, column, reason), rendered in the problem."""

from dataclasses import dataclass
from typing import Any

from broker.core.errors import BadRequestData

MAX_REPORTED = 1000  # errors listed in one response (a count is given beyond that)


@dataclass(frozen=True, slots=True)
class RowError:
    """`row` is the line of the CSV (the header is row 1); `column` the header, if any."""

    row: int
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class ImportRejected(BadRequestData):
    """400: the file was not imported (nothing was written); `errors` says why, row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        where = f"row {first.row}" + (f", column {first.column}" if first.column else "")
        super().__init__(
            f"the file was not imported ({len(errors)} errors; first: {where}: {first.reason})",
            errors=[e.as_dict() for e in errors[:MAX_REPORTED]],
            errorCount=len(errors),
        )
        self.errors = errors
