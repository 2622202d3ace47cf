"""Risks register and context issues."""

import numpy as np
import pandas as pd

from qmsdata.analytics import risks as R

RISKS = pd.DataFrame(
    {
        "risk_id": ["R1", "R2", "R3", "R4"],
        "kind": ["risk", "risk", "opportunity", "risk"],
        "process": ["a", "b", "c", "d"],
        "likelihood": [3, 2, 4, 1],
        "impact": [4, 2, 3, 1],
        "action": ["x", "y", "z", None],
        "action_due": pd.to_datetime(["2026-09-01", "2026-10-15", "2026-12-01", None]),
        "action_status": ["open", "closed", "open", None],
        "effective": [None, "yes", None, None],
    }
)


def test_risk_status_counts():
    t = R.risk_status({"risks": RISKS}, "2026-10").set_index("kind")
    assert t.loc["all", "items"] == 4 and t.loc["all", "with_action"] == 3
    assert t.loc["all", "overdue"] == 1 and t.loc["all", "due_in_period"] == 1
    assert t.loc["risk", "effectiveness_rate"] == 1.0
    assert np.isnan(t.loc["opportunity", "effectiveness_rate"])


def test_context_changes_marks_new_issues():
    issues = pd.DataFrame(
        {
            "issue_id": ["I1", "I2", "I3"],
            "date_noted": pd.to_datetime(["2026-10-03", "2025-01-01", "2026-11-20"]),
            "kind": ["external", "internal", "external"],
            "description": ["a", "b", "c"],
            "impact": ["high", "low", "low"],
            "status": ["open", "closed", "open"],
        }
    )
    t = R.context_changes({"context_issues": issues}, "2026-10")
    assert list(t["issue_id"]) == ["I1", "I2"]  # I3 noted after as_of
    assert list(t["change"]) == ["new", "closed"]


def test_unconfigured_registers():
    assert R.risk_status({}, "2026-10").empty
    assert R.context_changes({}, "2026-10").empty
