"""The line a person is told to look at is the line in the file (qmsdata.io.lines).

A CRM's CSV and an eQMS's .xlsx with a title block above the header (``header_row``), blank
lines between records and a cell holding a line break: the rejects, the failures table, the
failures CSV and the data-quality page name the line where the bad row really is. Before
``source_line`` the page showed ``source_row + 1`` whatever ``header_row`` said.
"""

from __future__ import annotations

import pandas as pd
from exports_kit import write_ncrs

import qmsdata
from qmsdata.io.lines import csv_lines
from qmsdata.validation.report import render_html, write_quality_report

AS_OF = "2026-04-30"

TOML = """\
[workbook]
sites = ["Leeds"]

[records.complaints]
source = "CRM_Complaints.csv"
encoding = "cp1252"
delimiter = ";"
header_row = 4
date_format = "%d.%m.%Y"
decimal = ","
thousands = "."
missing = ["N/A", "-"]
[records.complaints.columns]
complaint_id = "Complaint No."
received_date = "Received"
closed_date = "Closed"
capa_id = "CAPA ref"
[records.complaints.constants]
site = "Leeds"
[records.complaints.values.severity]
Low = "minor"
Medium = "major"
High = "critical"
"""

HEADER = "Complaint No.;Received;Customer;Severity;Status;Closed;Cost;CAPA ref"


def _crm(folder, body: list[str]) -> None:
    """Write a CRM export: a title block of 3 lines, the header on line 4, then ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "Complaints register - Calderbrook Electronics Ltd",
        "Exported 02.04.2026 08:14 by j.smith",
        "",
        HEADER,
        *body,
    ]
    (folder / "CRM_Complaints.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    (folder / "qms.toml").write_text(TOML, encoding="utf-8")


def test_a_bad_row_below_a_title_block_is_named_by_its_line(tmp_path):
    _crm(
        tmp_path,
        [
            "CMP-0001;05.01.2026;Peñalara SA;Low;Closed;20.01.2026;1.234,50;N/A",  # line 5
            "CMP-0002;12.01.2026;Acme Ltd;High;Open;;250,00;-",  # line 6
            "CMP-0003;31.02.2026;Müller GmbH;Medium;Closed;28.02.2026;99,90;",  # line 7: no 31 Feb
            ";;;;;;;;;;",
            "",
        ],
    )
    wb = qmsdata.load(tmp_path, as_of=AS_OF)
    rej = wb.rejects["complaints"]
    assert rej[["source_row", "source_line"]].values.tolist() == [[3, 7]]
    f = wb.failures
    assert f[["source_row", "source_line", "column"]].values.tolist() == [[3, 7, "received_date"]]
    page = render_html(wb)
    # source row 3, line 7 (was: line 4, source_row + 1)
    assert '<td class="num">3</td><td class="num">7</td><td>received_date</td>' in page
    out = tmp_path / "dq"
    write_quality_report(wb, out)
    failures = pd.read_csv(out / "failures.csv", encoding="utf-8-sig")
    assert failures["source_line"].tolist() == [7]
    rejects = pd.read_csv(out / "rejects" / "complaints.csv", encoding="utf-8-sig")
    assert rejects["source_line"].tolist() == [7]


def test_blank_lines_and_line_breaks_in_cells_are_counted(tmp_path):
    _crm(
        tmp_path,
        [
            "CMP-0001;05.01.2026;Peñalara SA;Low;Closed;20.01.2026;1.234,50;N/A",  # line 5
            "",  # line 6: not a record
            'CMP-0002;12.01.2026;"Acme Ltd\r\nGoods-in, Dock 3";High;Open;;250,00;-',  # 7-8
            "CMP-0003;03.02.2026;Müller GmbH;Urgent;Closed;28.02.2026;99,90;",  # line 9
            "   ",  # line 10: blank
            "CMP-0004;17.02.2026;Acme Ltd;Low;Open;;12.000,00;N/A",  # line 11
            "CMP-0005;14.03.2026;Acme Ltd;Severe;Closed;30.03.2026;0,50;-",  # line 12
        ],
    )
    wb = qmsdata.load(tmp_path, as_of=AS_OF)
    assert wb.validation.loc["complaints", "rows"] == 5
    rej = wb.rejects["complaints"]
    assert rej[["source_row", "source_line"]].values.tolist() == [[3, 9], [5, 12]]
    assert wb.failures["source_line"].tolist() == [9, 12]
    page = render_html(wb)
    assert '<td class="num">5</td><td class="num">12</td><td>severity</td>' in page


def test_csv_lines_fast_and_exact_paths_agree(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("t\n\na,b\n1,2\n3,4\n", encoding="utf-8")
    assert csv_lines(path, "utf-8", ",", 3, 2).tolist() == [4, 5]  # one line per record
    path.write_text('t\n\na,b\n1,"x\ny"\n\n3,4\n', encoding="utf-8")
    assert csv_lines(path, "utf-8", ",", 3, 2).tolist() == [4, 7]  # read with csv
    # the parser found another number of records than csv does: unknown (0), not guessed
    assert csv_lines(path, "utf-8", ",", 3, 3).tolist() == [0, 0, 0]


def test_an_xlsx_bad_row_is_named_by_its_worksheet_row(tmp_path):
    import openpyxl

    write_ncrs(tmp_path)  # two title rows, the header on row 3, NCR-101.. on rows 4-7
    path = tmp_path / "ncr_register.xlsx"
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws.insert_rows(6)  # a blank row 6 between NCR-102 (row 5) and NCR-103 (now row 7)
    ws["E8"] = -2  # NCR-104 (now row 8): a negative quantity
    book.save(path)
    (tmp_path / "qms.toml").write_text(
        """\
[workbook]
sites = ["Leeds"]
[records.nonconformities]
source = "ncr_register.xlsx"
header_row = 3
missing = ["-"]
[records.nonconformities.columns]
nc_id = "NCR No"
detected_date = "Date Raised"
source = "Detected At"
quantity = "Qty"
defect_code = "Defect Code"
[records.nonconformities.constants]
site = "Leeds"
[records.nonconformities.values.source]
"final inspection" = "final"
"Customer Return" = "customer"
"Incoming Inspection" = "incoming"
""",
        encoding="utf-8",
    )
    wb = qmsdata.load(tmp_path, as_of=AS_OF)
    rej = wb.rejects["nonconformities"]
    # the blank row is kept as an empty data row (source_row 3, rejected as empty), so
    # NCR-104 is data row 5 on worksheet row 8
    assert dict(zip(rej["source_row"], rej["source_line"], strict=True)) == {3: 6, 5: 8}
    f = wb.failures
    assert set(f.loc[f["source_row"] == 5, "source_line"]) == {8}
    page = render_html(wb)
    assert '<td class="num">5</td><td class="num">8</td><td>quantity</td>' in page


def test_parquet_rows_have_no_line(tmp_path):
    frame = pd.DataFrame(
        {
            "complaint_id": ["C1", "C2"],
            "received_date": ["2026-01-05", "2026-13-01"],
            "site": ["Leeds", "Leeds"],
            "customer": ["A", "B"],
            "severity": ["minor", "minor"],
            "status": ["open", "open"],
        }
    )
    frame.to_parquet(tmp_path / "c.parquet")
    (tmp_path / "qms.toml").write_text(
        '[workbook]\nsites = ["Leeds"]\n[records.complaints]\nsource = "c.parquet"\n',
        encoding="utf-8",
    )
    wb = qmsdata.load(tmp_path, as_of=AS_OF)
    assert wb.rejects["complaints"]["source_row"].tolist() == [2]
    assert wb.rejects["complaints"]["source_line"].isna().all()
    assert '<td class="num">2</td><td>received_date</td>' in render_html(wb)  # no line column
