"""The one clock: every date and instant a document's outputs carry. Never the machine's clock.

A document's time comes from its data's ``date`` (成文日期), else from SOURCE_DATE_EPOCH, else there is none.
:class:`Clock` holds those two inputs, frozen, and derives every stamp from them:

* ``date``: the day the document is stamped with: the 成文日期, else SOURCE_DATE_EPOCH's day in China
  (the PDF's CreationDate/ModDate and XMP dates are midnight in China on it, see :func:`midnight_text`);
* ``instant``: that midnight in China as naive UTC (python-docx and WeasyPrint write it with a Z): the DOCX
  core properties and the PDF attachment's dates; None without a date;
* ``attachment``: ``instant``, or :data:`NO_DATE` where a date must be written and there is none (the PDF
  attachment must have one; the DOCX zip entries always carry :data:`ZIP_DATE`, the same stamp);
* ``revision``: the default date of the redline's tracked changes: the 成文日期 at 00:00Z (as ``--date``
  reads a bare date), else SOURCE_DATE_EPOCH exactly, else :data:`NO_DATE`.

The same data and the same SOURCE_DATE_EPOCH give the same stamps, so the same bytes, anywhere at any time.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
NO_DATE = dt.datetime(1980, 1, 1)  # naive UTC: the earliest date a zip entry can hold
ZIP_DATE = NO_DATE.timetuple()[:6]  # NO_DATE as a zip entry's date_time, (1980, 1, 1, 0, 0, 0)


def _epoch(environ: Mapping[str, str]) -> int | None:
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


@dataclass(frozen=True)
class Clock:
    """The time of one document: its 成文日期 and SOURCE_DATE_EPOCH as they were read, and every stamp from them."""

    source_date: dt.date | None = None  # the data's date (成文日期)
    epoch: int | None = None  # SOURCE_DATE_EPOCH, seconds

    @classmethod
    def read(cls, source_date: dt.date | None, environ: Mapping[str, str] | None = None) -> Clock:
        """The clock of a document whose data gives ``source_date`` (or None), in this environment."""
        return cls(source_date, _epoch(os.environ if environ is None else environ))

    @classmethod
    def of(cls, document, environ: Mapping[str, str] | None = None) -> Clock:
        """The clock of a rendered :class:`document.Document` (its ``meta.date`` is the 成文日期)."""
        return cls.read(document.meta.date, environ)

    @property
    def date(self) -> dt.date | None:
        if self.source_date is not None:
            return self.source_date
        if self.epoch is not None:
            return dt.datetime.fromtimestamp(self.epoch, CHINA).date()
        return None

    @property
    def instant(self) -> dt.datetime | None:
        date = self.date
        if date is None:
            return None
        return dt.datetime.combine(date, dt.time(), CHINA).astimezone(dt.timezone.utc).replace(tzinfo=None)

    @property
    def attachment(self) -> dt.datetime:
        return self.instant or NO_DATE

    @property
    def revision(self) -> dt.datetime:
        if self.source_date is not None:
            return dt.datetime.combine(self.source_date, dt.time())
        if self.epoch is not None:
            return dt.datetime.fromtimestamp(self.epoch, dt.timezone.utc).replace(tzinfo=None)
        return NO_DATE


def midnight_text(date: dt.date) -> str:
    """``date`` at midnight in China, as ISO 8601 text (``2024-03-01T00:00:00+08:00``): the PDF's dates."""
    return dt.datetime.combine(date, dt.time(), CHINA).isoformat()
