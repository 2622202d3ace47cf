"""Headings for people and numbers by kind in the tables shown (extracts keep the raw frame)."""

from __future__ import annotations

import math

import pandas as pd

from qmsdata.pack.labels import display_frame, kind, label


def test_headings_for_people() -> None:
    assert label("previous_period") == "Previous period"
    assert label("change_last_year") == "Change vs last year"
    assert label("p_meet_target") == "Probability of meeting target"
    assert label("capa_id") == "CAPA ID"
    assert label("received_date") == "Received date"
    assert label("last 12 months") == "Last 12 months"
    assert label("ISO 9001 clause") == "ISO 9001 clause"


def test_spec_label_wins(monkeypatch) -> None:
    from qmsdata.pack import labels
    from qmsdata.records._spec import Column

    monkeypatch.setattr(labels, "_spec_columns", lambda: {"x_y": Column("x_y", "text", label="Ex")})
    assert label("x_y") == "Ex"


def test_numbers_by_kind_and_nothing_reads_nan() -> None:
    frame = pd.DataFrame(
        {
            "metric": ["Complaints", "Scrap"],
            "value": [3060.0, 12.0],
            "change_previous": [-0.16923, math.nan],
            "fpy": [0.97121, 0.97278],
            "p_meet_target": [0.00023, 0.99999],
            "received_date": pd.to_datetime(["2026-10-01", None]),
            "mean": [4.4567, 0.0123],
        }
    )
    shown = display_frame(frame)
    assert list(shown.columns) == [
        "Metric",
        "Value",
        "Change vs previous period",
        "FPY",
        "Probability of meeting target",
        "Received date",
        "Mean",
    ]
    assert shown["Value"].tolist() == ["3,060", "12"]
    assert shown["Change vs previous period"].tolist() == ["-17%", ""]
    assert shown["FPY"].tolist() == ["97.1%", "97.3%"]  # close values keep a decimal
    assert shown["Probability of meeting target"].tolist() == ["0.023%", "100%"]
    assert shown["Received date"].tolist() == ["2026-10-01", ""]
    assert shown["Mean"].dtype == float  # no kind: the table's float format applies
    assert list(frame.columns)[0] == "metric" and frame["fpy"][0] == 0.97121  # untouched
    assert kind("rate_per_million") is None
