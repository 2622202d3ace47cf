"""`qms trends` end to end on a small subset of the demo: one process and one objective.

The engine of `qms pack` builds reports/trends/<period>/: the index ranks the subjects,
the subject extract carries the planted verdict, the objective has its evidence document, the
decisions are in the review_actions schema, and `qms verify` accepts the folder.
"""

from __future__ import annotations

import pandas as pd
import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary  # noqa: F401

from qmsdata.cli import main
from qmsdata.pack.verify import verify_pack
from qmsdata.records import RECORD_TYPES

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


def test_trends_subset_builds_and_verifies(demo_dir, tmp_path, capsys):  # noqa: F811
    argv = ["trends", str(demo_dir), "--period", DEMO_END,
            "--process", "SMT placement", "--objective", "OBJ-02", "--out", str(tmp_path),
            "--formats", "html", "--jobs", "2", "--quiet"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    folder = tmp_path / "trends" / DEMO_END
    subject = pd.read_csv(folder / "data" / "p-smt-placement--subject.csv")
    assert subject.loc[0, "latest_change_id"] == "CHG-001"
    assert subject.loc[0, "latest_verdict"] == "sustained improvement"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="pack.html#sec-p-smt-placement"' in page
    assert 'href="objectives/obj-02.html"' in page
    assert (folder / "objectives" / "obj-02.html").is_file()
    decisions = pd.read_csv(folder / "decisions.csv", dtype=str)
    assert list(decisions.columns) == [c.name for c in RECORD_TYPES["review_actions"].columns]
    assert "DEC-202610-CHG-001" in set(decisions["action_id"])
    assert verify_pack(folder).files_ok
    # warm: nothing changed, every subject from the cache
    assert main(argv) == 0
    assert "2 from cache" in capsys.readouterr().out
