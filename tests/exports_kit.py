"""Hand-made exports that look like real ERP / eQMS / CRM files (a plain module for tests).

:func:`write_exports` writes, into a folder, the exports of a one-site company (no Site column
anywhere):

- ``CRM_Complaints.csv`` (a CRM's export, cp1252, ``;``-delimited): a title block, an
  "Exported ..." line and a blank line above the header; dates ``dd.mm.yyyy``; costs with a
  decimal comma and thousands dot (``1.234,50``); severity ``Low/Medium/High``, status
  ``Open/Closed``; ``N/A`` and ``-`` placeholders in the CAPA and customer columns; a trailing
  ``;;;;;;;;`` line and blank lines;
- ``ncr_register.xlsx`` (an eQMS's export): two title rows above the header, detection points
  ``Final Inspection`` / ``Customer Return`` / ``Incoming Inspection``, ``-`` as a defect code;
- ``production.csv`` (an ERP's export): plain, ISO dates, no site.

:data:`FILLED` says how to answer the TODOs ``qms init`` leaves for them.
"""

from __future__ import annotations

from pathlib import Path

TITLE = "Complaints register - Calderbrook Electronics Ltd"

COMPLAINTS = [
    # No.; Received; Customer; Severity; Status; Closed; Cost; CAPA ref
    ("CMP-0001", "05.01.2026", "Peñalara SA", "Low", "Closed", "20.01.2026", "1.234,50", "N/A"),
    ("CMP-0002", "12.01.2026", "-", "High", "Open", "", "250,00", "-"),
    ("CMP-0003", "03.02.2026", "Müller GmbH", "Medium", "Closed", "28.02.2026", "99,90", ""),
    ("CMP-0004", "17.02.2026", "Acme Ltd", "Low", "Open", "", "12.000,00", "N/A"),
    ("CMP-0005", "14.03.2026", "Acme Ltd", "High", "Closed", "30.03.2026", "0,50", "-"),
]

NCRS = [
    # NCR No, Date Raised, Detected At, Defect Code, Qty, Disposition, Status
    ("NCR-101", "2026-01-07", "Final Inspection", "SOLDER", 4, "Rework", "Closed"),
    ("NCR-102", "2026-01-19", "Customer Return", "-", 1, "Scrap", "Open"),
    ("NCR-103", "2026-02-02", "Incoming Inspection", "DIM", 25, "Return to supplier", "Closed"),
    ("NCR-104", "2026-03-11", "Final Inspection", "SOLDER", 2, "Use as is", "Open"),
]

PRODUCTION = [
    ("2026-01-31", "PCB-A", 1200, 1200, 1180),
    ("2026-02-28", "PCB-A", 1100, 1100, 1100),
    ("2026-03-31", "PCB-A", 1300, 1300, 1290),
]

#: the answers to the TODOs of ``qms init`` for these exports
FILLED = {
    "organisation": "Calderbrook Electronics Ltd",
    "site": "Leeds",
    "severity": {"High": "critical", "Medium": "major", "Low": "minor"},
}


def write_complaints(folder: Path, name: str = "CRM_Complaints.csv") -> Path:
    lines = [
        TITLE,
        "Exported 02.04.2026 08:14 by j.smith",
        "",
        "Complaint No.;Received;Customer;Severity;Status;Closed;Cost;CAPA ref",
        *(";".join(r) for r in COMPLAINTS),
        ";;;;;;;;;;",
        "",
        "",
    ]
    path = folder / name
    path.write_bytes(("\r\n".join(lines)).encode("cp1252"))
    return path


def write_ncrs(folder: Path, name: str = "ncr_register.xlsx") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "NCR export"
    ws.append(["Nonconformance register"])
    ws.append(["Exported 2026-04-02 by QMS"])
    ws.append(
        ["NCR No", "Date Raised", "Detected At", "Defect Code", "Qty", "Disposition", "Status"]
    )
    for r in NCRS:
        ws.append(list(r))
    path = folder / name
    book.save(path)
    return path


def write_production(folder: Path, name: str = "production.csv") -> Path:
    lines = ["Date,Product,Units Produced,Units Inspected,Units Shipped"]
    lines += [",".join(map(str, r)) for r in PRODUCTION]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_exports(folder: Path) -> Path:
    """Write the three exports into ``folder`` (created); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    write_complaints(folder)
    write_ncrs(folder)
    write_production(folder)
    return folder
