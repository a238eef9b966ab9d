"""The one clock (reportgen/clock.py): every stamp from the data's date and SOURCE_DATE_EPOCH, never the machine's."""
from __future__ import annotations

import datetime as dt
from dataclasses import FrozenInstanceError

import pytest

from reportgen.clock import NO_DATE, ZIP_DATE, Clock, midnight_text


def test_no_date_at_all():
    clock = Clock.read(None, {})
    assert clock.date is None and clock.instant is None
    # What must carry a date carries the zip entries' fixed stamp.
    assert clock.attachment == clock.revision == NO_DATE == dt.datetime(*ZIP_DATE) == dt.datetime(1980, 1, 1)


def test_source_date_epoch_is_kept_to_its_day_in_china():
    clock = Clock.read(None, {"SOURCE_DATE_EPOCH": "1700000000"})  # 2023-11-14T22:13:20Z = 2023-11-15 06:13 in China
    assert clock.date == dt.date(2023, 11, 15)
    assert clock.instant == clock.attachment == dt.datetime(2023, 11, 14, 16, 0)  # midnight in China, as UTC
    assert clock.revision == dt.datetime(2023, 11, 14, 22, 13, 20)  # a revision keeps the exact instant


def test_the_data_date_wins_over_source_date_epoch():
    clock = Clock.read(dt.date(2024, 3, 1), {"SOURCE_DATE_EPOCH": "1700000000"})
    assert clock.date == dt.date(2024, 3, 1)
    assert clock.instant == dt.datetime(2024, 2, 29, 16, 0)
    assert clock.revision == dt.datetime(2024, 3, 1)  # as --date 2024-03-01 reads it
    assert midnight_text(clock.date) == "2024-03-01T00:00:00+08:00"


@pytest.mark.parametrize("value", ["", "  ", "soon", "-5", "١٧٠٠٠٠٠٠٠٠"])
def test_a_source_date_epoch_that_is_not_seconds_is_no_date(value):
    assert Clock.read(None, {"SOURCE_DATE_EPOCH": value}).date is None


def test_the_environment_is_read_once_into_a_frozen_value(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1710000000")
    clock = Clock.read(None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert clock.date == dt.date(2024, 3, 10)
    with pytest.raises(FrozenInstanceError):
        clock.epoch = 0
