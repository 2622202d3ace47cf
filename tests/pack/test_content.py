"""Pack content that must agree with the analytics: overdue, the minimum-points rule, evidence.

Section notebooks are run here in-process on small hand-made frames (their code cells executed
with the pack's parameters; the workbook loader patched to return the frames), which takes a
fraction of a second instead of a kernel start and a workbook validation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

import qmsdata
from qmsdata import stats
from qmsdata.analytics import capa as capa_mod
from qmsdata.pack import narrative as N
from qmsdata.stats import spc

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "qmsdata" / "notebooks" / "pack"


class FrameWorkbook:
    """A stand-in for a Workbook: record types as attributes and items, and a data date."""

    def __init__(self, as_of: str, **frames: pd.DataFrame) -> None:
        self.as_of = pd.Timestamp(as_of)
        self._frames = frames

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = self.__dict__.get("_frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(name)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._frames[name]


def run_section(
    name: str, wb: Any, monkeypatch: pytest.MonkeyPatch, out_dir: Path, **params: Any
) -> list[str]:
    """Run notebook ``name``'s code cells in-process on ``wb``; return the texts it narrated."""
    said: list[str] = []
    monkeypatch.setattr(qmsdata, "section_workbook", lambda *a, **k: wb)
    monkeypatch.setattr(qmsdata, "section_context", lambda *a, **k: _context(wb, out_dir, k))
    monkeypatch.setattr(
        qmsdata, "narrate", lambda text, *, kind="text": said.append(f"{kind}: {text}")
    )
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    env: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, f"{name}.ipynb", "exec"), env)  # noqa: S102 - our notebook
        if "parameters" in cell.metadata.get("tags", []):
            env.update({"out_dir": str(out_dir), **params})
    return said


def _context(wb: Any, out_dir: Path, values: dict[str, Any]) -> Any:
    """The section context a notebook would get, built from its parameter values (no qms.toml)."""
    from qmsdata.analytics.periods import parse_period
    from qmsdata.pack.context import SectionContext

    p = parse_period(values["period"])
    return SectionContext(
        workbook="hand-made",
        period=str(p),
        start=str(p.start_time.date()),
        end=str(p.end_time.date()),
        as_of=values.get("as_of") or str(p.end_time.date()),
        data_as_of=str(wb.as_of.date()),
        site=values.get("site"),
        product=values.get("product"),
        baseline_months=values.get("baseline_months", 12),
        rules=values.get("rules", "anhoej"),
        out_dir=str(out_dir),
        organisation=None,
        fiscal_year_start=1,
        snapshot=None,
        signals=None,
    )


def _capas() -> pd.DataFrame:
    """CAPAs whose status column and dates disagree at the reporting date 2026-10-31."""
    return pd.DataFrame(
        {
            "capa_id": ["CA-1", "CA-2", "CA-3", "CA-4", "CA-5"],
            "opened_date": pd.to_datetime(["2026-06-01"] * 5),
            "owner": ["Ann", "Ann", "Bo", "Bo", "Bo"],
            "process": ["P1"] * 5,
            "due_date": pd.to_datetime(
                ["2026-08-01", "2026-12-31", "2026-09-01", "2026-09-01", "2026-10-01"]
            ),
            # CA-1: status open but closed (dated) before the reporting date: not open
            # CA-2: a local status word "overdue", due in the future: open, not overdue
            # CA-3: open, past due: overdue
            # CA-4: status closed, closed only after the reporting date: open and overdue
            # CA-5: cancelled: neither
            "closed_date": pd.to_datetime(["2026-09-15", None, None, "2026-11-20", None]),
            "status": ["open", "overdue", "open", "closed", "cancelled"],
        }
    )


def _review_actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_id": ["RA-1"],
            "output_type": ["resources"],
            "status": ["open"],
            "description": ["hire"],
        }
    )


def test_resources_backlog_uses_the_analytics_definition_of_overdue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wb = FrameWorkbook("2026-10-31", corrective_actions=_capas(), review_actions=_review_actions())
    said = run_section(
        "40_resources", wb, monkeypatch, tmp_path, period="2026-10", as_of="2026-10-31"
    )
    backlog = pd.read_csv(tmp_path / "data" / "capa_backlog_by_owner.csv").set_index("owner")
    # by the dates at 2026-10-31: Ann has CA-2 open (not overdue); Bo has CA-3 and CA-4 open,
    # both overdue. The status column would say Ann: CA-1 open and overdue, Bo: CA-3 only.
    assert backlog.loc["Ann", ["open", "overdue"]].tolist() == [1, 0]
    assert backlog.loc["Bo", ["open", "overdue"]].tolist() == [2, 2]
    overdue = qmsdata.capa_overdue(wb, "2026-10", as_of="2026-10-31")
    assert int(backlog["overdue"].sum()) == len(overdue) == 2
    status = qmsdata.capa_status(wb, "2026-10", as_of="2026-10-31")
    allrow = status[status["group"] == "all"].iloc[0]
    assert int(backlog["open"].sum()) == allrow["open"] == 3
    assert said[-1] == (
        "conclusion: No owner carries three or more overdue corrective actions. "
        "1 review action(s) on resources remain open."
    )


def test_capa_section_and_resources_section_agree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Section 34's "N open, M overdue" and section 40's backlog per owner add up alike."""
    capas = _capas()
    wb = FrameWorkbook("2026-10-31", corrective_actions=capas, review_actions=_review_actions())
    by_owner = capa_mod.capa_status(wb, "2026-10", as_of="2026-10-31", by="owner")
    by_process = capa_mod.capa_status(wb, "2026-10", as_of="2026-10-31")
    assert by_owner.iloc[0]["open"] == by_process.iloc[0]["open"]
    assert by_owner.iloc[0]["overdue"] == by_process.iloc[0]["overdue"]


# ----------------------------------------------------------- one minimum-points rule


def _complaints(months: int) -> dict[str, pd.DataFrame]:
    dates = pd.period_range(end="2026-10", periods=months, freq="M").to_timestamp()
    return {
        "complaints": pd.DataFrame(
            {"complaint_id": [f"C{i}" for i in range(months)], "received_date": dates}
        )
    }


def test_min_points_is_the_charts_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    assert N.min_points() == stats.MIN_POINTS
    monkeypatch.setattr(stats, "MIN_POINTS", 7)
    assert N.min_points() == 7
    assert N.insufficient_note(_complaints(7), "complaints", "2026-10", "Complaint rate") is None
    note = N.insufficient_note(_complaints(6), "complaints", "2026-10", "Complaint rate")
    assert note is not None and note.endswith("needs at least 7.")


@pytest.mark.parametrize("months", [11, 12])
def test_narrative_and_chart_say_insufficient_at_the_same_count(months: int) -> None:
    data = pd.DataFrame({"y": ([3.0, 5.0, 4.0, 6.0] * 3)[:months]})
    chart = spc.control_chart(data, "i", value="y")
    chart_insufficient = chart.insufficient
    note = N.insufficient_note(_complaints(months), "complaints", "2026-10", "Complaints")
    assert chart_insufficient == (note is not None) == (months < stats.MIN_POINTS)


# ---------------------------------------------------------------- evidence from the specs


def test_evidence_ids_and_dates_come_from_the_record_specs() -> None:
    from qmsdata.records import RECORD_TYPES

    for rt, spec in RECORD_TYPES.items():
        assert N.record_key(rt) == tuple(spec.key)
        assert N.event_date(rt) == spec.event_date
    prod = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-01"]),
            "site": ["Leeds"],
            "product": ["P/1"],
            "source_row": [4],
        }
    )
    assert N._ids(prod, "production").tolist() == ["2026-10-01/Leeds/P/1"]
    assert N._ids(prod.drop(columns="site"), "production").tolist() == ["row 4"]
    assert N.months_of_data({"production": prod}, "production") == 1


# ------------------------------------------- ids that are not file names (issue 15)


def _odd_id_workbook(folder: Path) -> Path:
    """A workbook of suppliers and objectives whose ids hold a space and a slash."""
    folder.mkdir()
    (folder / "qms.toml").write_text(
        "[workbook]\n"
        'organisation = "Odd Ids Ltd"\n'
        'sites = ["A"]\n'
        "as_of = 2026-10-31\n\n"
        '[records.supplier_receipts]\nsource = "receipts.csv"\n\n'
        '[records.objectives]\nsource = "objectives.csv"\n\n'
        '[records.kpi_measurements]\nsource = "kpi.csv"\n',
        encoding="utf-8",
    )
    months = pd.period_range("2025-09", "2026-10", freq="M")
    rows = []
    for m in months:
        suppliers = [(f"SUP-{i:03d}", 4 + i % 3) for i in (1, 2, 3, 5, 6, 7, 8, 9)]
        for sid, rejected in [*suppliers, ("SUP 004", 90)]:
            rows.append(
                {
                    "receipt_id": f"R-{m}-{sid}",
                    "supplier_id": sid,
                    "received_date": f"{m}-10",
                    "quantity_received": 1000,
                    "quantity_rejected": rejected,
                }
            )
    pd.DataFrame(rows).to_csv(folder / "receipts.csv", index=False)
    pd.DataFrame(
        {
            "objective_id": ["OBJ-01", "OBJ/02"],
            "name": ["Yield", "On-time delivery"],
            "direction": ["increase", "increase"],
            "target": [90, 95],
            "unit": ["%", "%"],
        }
    ).to_csv(folder / "objectives.csv", index=False)
    kpi = [
        {"objective_id": oid, "period": str(m), "value": v + (i % 3)}
        for i, m in enumerate(months)
        for oid, v in (("OBJ-01", 96), ("OBJ/02", 80))
    ]
    pd.DataFrame(kpi).to_csv(folder / "kpi.csv", index=False)
    return folder


@pytest.mark.slow
def test_sections_with_ids_that_are_not_file_names(tmp_path: Path) -> None:
    from qmsdata.pack import build_pack
    from qmsdata.pack.sections import SECTIONS

    wb = _odd_id_workbook(tmp_path / "wb")
    res = build_pack(
        wb,
        "2026-10",
        out=tmp_path / "reports",
        formats=["html"],
        sections=[SECTIONS["32_objectives"], SECTIONS["37_suppliers"]],
        progress=False,
    )
    assert res.ok, [(r.section.id, getattr(r, "error", None)) for r in res.failed]
    data = {p.name: p for p in (res.path / "data").glob("*.csv")}
    rej = [n for n in data if n.startswith("37_suppliers--rejection_SUP_004-")]
    obj = [n for n in data if n.startswith("32_objectives--objective_OBJ_02-")]
    assert len(rej) == 1 and len(obj) == 1, sorted(data)
    assert set(pd.read_csv(data[rej[0]])["supplier_id"]) == {"SUP 004"}
    assert set(pd.read_csv(data[obj[0]])["objective_id"]) == {"OBJ/02"}
    html = (res.path / "pack.html").read_text(encoding="utf-8")
    assert "SUP 004" in html and "OBJ/02" in html
