"""Dates as the content gives them: a testimony's is known to the month or to the day, and is
shown by month only."""

from __future__ import annotations

from dataclasses import dataclass

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the month or to the day; testimonies are shown by month only."""

    year: int
    month: int
    day: int | None = None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day or 0)

    @property
    def month_label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def month_iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
