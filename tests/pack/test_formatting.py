"""The pack's wording of numbers, dates and flags: no nan, None, True/False or raw proportions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import qmsdata
from qmsdata.pack import formatting as F
from qmsdata.pack import narrative as N

MISSING = [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan"), "", "  "]
FORMATTERS = [F.percent, F.ppm, F.currency, F.count, F.number, F.date, F.yes_no, F.text]
LEAKS = ("nan", "None", "True", "False", "NaT", "<NA>")


@pytest.mark.parametrize("value", MISSING, ids=repr)
@pytest.mark.parametrize("fn", FORMATTERS, ids=lambda f: f.__name__)
def test_missing_reads_not_available(fn, value) -> None:
    assert fn(value) == "not available"
    assert fn(value, missing="-") == "-"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.25, "25%"),
        (0.5, "50%"),
        (0.003684, "0.37%"),
        (0.0525, "5.2%"),
        (0.0, "0%"),
        (1.0, "100%"),
        (-0.125, "-12%"),
        (np.float64(0.1), "10%"),
        (1e-7, "<0.001%"),
    ],
)
def test_percent(value, expected) -> None:
    assert F.percent(value) == expected


def test_percent_digits_and_flags() -> None:
    assert F.percent(0.12345, 1) == "12.3%"
    assert F.percent(True) == "not available", "a flag is not a proportion"
    assert F.percent(np.bool_(False)) == "not available"
    assert F.percent(float("inf")) == "not available"


def test_ppm_currency_count_number() -> None:
    assert F.ppm(0.003684) == "3,684 ppm"
    assert F.ppm(0) == "0 ppm"
    assert F.currency(1175.4, "£") == "£1,175"
    assert F.currency(1175.4) == "1,175", "no symbol configured: plain"
    assert F.currency(-2500, "€") == "-€2,500"
    assert F.currency(-0.2, "£") == "£0"
    assert F.count(12345) == "12,345"
    assert F.count(np.int64(7)) == "7"
    assert F.count(3.0) == "3"
    assert F.number(4.4567) == "4.46"
    assert F.number(1234.5) == "1,234"
    assert F.number(12.0) == "12"
    assert F.number(0.01234) == "0.0123"
    assert F.number(4.4567, 1) == "4.5"
    assert F.number("1,234") == "1,234"
    assert F.number("abc") == "not available"


def test_currency_symbol_is_read_from_the_configuration_when_there_is_one() -> None:
    class Config:
        currency_symbol = "£"

    class Wb:
        config = Config()

    assert F.currency_symbol(Wb()) == "£"
    assert F.currency_symbol(object()) is None
    assert F.currency(10, F.currency_symbol(object())) == "10"


def test_dates_and_flags() -> None:
    assert F.date(pd.Timestamp("2026-10-31 13:00")) == "2026-10-31"
    assert F.date(dt.date(2026, 1, 2)) == "2026-01-02"
    assert F.date("2026-10-31") == "2026-10-31"
    assert F.date(pd.Period("2026-10", "M")) == "2026-10"
    assert F.yes_no(True) == "yes" and F.yes_no(np.bool_(False)) == "no"
    assert F.yes_no("False") == "no" and F.yes_no("TRUE") == "yes"
    assert F.yes_no(False, yes="met", no="not met") == "not met"
    assert F.text(True) == "yes" and F.text(np.bool_(False)) == "no"
    assert F.text(0.003684) == "0.00368" and F.text("SUP 004") == "SUP 004"


def test_readable_table_has_no_raw_flags_or_missing_markers() -> None:
    table = pd.DataFrame(
        {
            "objective_id": ["OBJ/01", "OBJ/02", None],
            "met": [True, False, None],
            "flag": np.array([True, False, True]),
            "owner": ["A", None, np.nan],
            "actual": [0.5, np.nan, 2.0],
        }
    )
    shown = F.readable(table)
    assert shown["met"].tolist() == ["yes", "no", ""]
    assert shown["flag"].tolist() == ["yes", "no", "yes"]
    assert shown["owner"].tolist() == ["A", "", ""]
    assert shown["actual"].dtype == float, "numbers keep their dtype (the table formats them)"
    html = shown.to_html(na_rep="")
    assert not [w for w in LEAKS if f">{w}<" in html]
    assert table["met"].tolist()[:2] == [True, False], "the original is not changed"


def test_public_namespace() -> None:
    assert qmsdata.fmt is F
    assert qmsdata.fmt.percent(0.25) == "25%"


# ------------------------------------------------------------------ narrative sentences


def test_objective_sentence_without_target_or_judgement_has_no_leak() -> None:
    row = pd.Series(
        {
            "objective_id": "OBJ/02",
            "name": np.nan,
            "actual": 0.8,
            "target": np.nan,
            "unit": None,
            "met": None,
            "assurance": None,
        }
    )
    s = N.objective_sentence(row, "2026-10")
    assert s == ("OBJ/02: 0.8 in 2026-10, no target recorded, not judged [9.3.2 c) 2].")
    assert not [w for w in LEAKS if w in s]


def test_signal_sentence_without_detail_or_since_has_no_leak() -> None:
    row = pd.Series(
        {
            "direction": "concern",
            "rank": 1,
            "series": "Complaint rate",
            "rule": "mann_kendall",
            "since": np.nan,
            "detail": None,
            "area": "9.3.2 c) 1",
        }
    )
    s = N.signal_sentence(row, "2026-10")
    assert not [w for w in LEAKS if w in s], s


def test_key_number_sentence_with_missing_baselines() -> None:
    row = {
        "metric": "Nonconforming quantity",
        "value": float("nan"),
        "previous": float("nan"),
        "change_previous": float("nan"),
        "previous_period": "2026-09",
        "last_year": 3.0,
        "change_last_year": float("nan"),
        "last_year_period": "2025-10",
        "period": "2026-10",
        "figure": "9.3.2 c) 3",
    }
    s = N.key_number_sentence(row)
    assert s == "Nonconforming quantity: not available in 2026-10 [9.3.2 c) 3]."


def test_objective_matrix_shows_words_not_flags() -> None:
    obj = pd.DataFrame(
        {
            "objective_id": ["OBJ/01", "OBJ/02"],
            "name": ["On time", np.nan],
            "owner": [None, "x"],
            "actual": [1.0, np.nan],
            "target": [0.9, 0.9],
            "met": [True, None],
            "variation": [None, "common_cause"],
            "assurance": [np.nan, None],
        }
    )
    m = N.objective_matrix({}, obj, "2026-10")
    assert m["objective"].tolist() == ["OBJ/01 On time", "OBJ/02"]
    assert m["met"].tolist() == ["yes", ""]
    assert m["variation"].tolist() == ["insufficient data", "~ common cause"]
    assert m["assurance"].tolist() == ["insufficient data", "insufficient data"]
    shown = F.readable(m).to_html(na_rep="")
    assert not [w for w in LEAKS if f">{w}<" in shown]


def test_suggested_actions_description_without_since() -> None:
    sig = pd.DataFrame(
        {
            "direction": ["concern"],
            "series": ["Complaint rate"],
            "rule": ["mann_kendall"],
            "since": [None],
            "key": ["k1"],
        }
    )
    reg = N.suggested_actions(sig, "2026-10")
    assert reg["description"].tolist() == ["Investigate and act on: Complaint rate (mann_kendall)"]
