"""The ``qms`` command: demo workbooks, validation, review packs, verification.

Every subcommand has ``--help``. Expected failures (:class:`qmsdata.errors.QmsError`) print one
clear message on stderr and exit with code 2 — never a traceback. Heavy libraries are imported
inside the handlers so ``qms --help`` answers at once.

Exit codes: 0 success; 1 the job ran but found a problem (rows quarantined, a pack section failed,
a pack altered); 2 the job could not run (bad workbook, missing file, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qmsdata import __version__
from qmsdata.errors import QmsError

DEFAULT_END = "2026-10"


def _cmd_demo(args: argparse.Namespace) -> int:
    from qmsdata.demo import write_demo

    summary = write_demo(Path(args.directory), seed=args.seed, end=args.end)
    print(summary)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    """Load and validate, write the data-quality report, print the summary.

    Exit 0 when every row was accepted, 1 when rows were quarantined; structural problems raise
    QmsError (exit 2, see :func:`main`).
    """
    from qmsdata.validation.gx_worker import out_of_process

    with out_of_process():  # great-expectations imports in its own process meanwhile
        return _validate(args)


def _validate(args: argparse.Namespace) -> int:
    from qmsdata.check import ensure_loadable
    from qmsdata.config import parse_as_of_date
    from qmsdata.validation.cache import default_cache_dir
    from qmsdata.validation.report import summary_table, write_quality_report
    from qmsdata.workbook import load

    when = parse_as_of_date(args.as_of) if args.as_of else None
    ensure_loadable(Path(args.workbook))  # every structural problem at once, before any rows
    cache_dir = None if args.no_cache else default_cache_dir()
    wb = load(Path(args.workbook), as_of=when, progress=sys.stderr.isatty(), cache_dir=cache_dir)
    out_dir = Path(args.out) if args.out is not None else Path("reports") / "data-quality"
    report = write_quality_report(wb, out_dir)
    print(summary_table(wb))
    if wb.reused:
        print(
            f"\nreused the validation of {len(wb.reused)} unchanged record type(s) from "
            f"{cache_dir}: {', '.join(wb.reused)}"
        )
    print(f"\ndata-quality report: {report}")
    rejected = int(wb.validation["rejected"].sum())
    if rejected:
        print(
            f"{rejected} row(s) quarantined; see {out_dir / 'failures.csv'} and "
            f"{out_dir / 'rejects'}/"
        )
        return 1
    print("all rows accepted")
    return 0


def _cmd_dictionary(args: argparse.Namespace) -> int:
    from qmsdata.records import write_data_dictionary

    path = write_data_dictionary(Path(args.out))
    print(f"data dictionary written to {path}")
    return 0


def _report_build(result: Any, command: str, item: str, what: str) -> None:
    """Print what a pack-engine build did: cache rejects, retries, where it went, failures."""
    for run in result.sections:
        if run.cache_rejected:
            print(
                f"qms {command}: the cached copy of {item} {run.section.id} failed its integrity "
                f"check ({run.cache_rejected}); the {item} was rebuilt",
                file=sys.stderr,
            )
        if run.retried:
            print(f"{item} {run.section.id} timed out once ({run.retried}); ran it again")
    if result.kept_pack is not None:
        print(
            f"qms {command}: {item}s failed, so the complete {what} {result.kept_pack} was NOT "
            f"replaced; this build is kept at {result.path}",
            file=sys.stderr,
        )
    else:
        cached = sum(r.cached for r in result.sections)
        print(
            f"{what} written to {result.path} ({len(result.sections)} {item}s, {cached} from "
            f"cache, {result.seconds:.1f} s)"
        )
    reran = getattr(result, "reran", {}) or {}
    if reran:  # which ran, and why, grouped by reason
        by_reason: dict[str, list[str]] = {}
        for sid, why in reran.items():
            by_reason.setdefault(why, []).append(sid)
        for why, ids in by_reason.items():
            print(f"re-ran {len(ids)} {item}(s) ({why}): {', '.join(ids)}")
        reused_ids = [r.section.id for r in result.sections if r.cached]
        if reused_ids:  # what they read is unchanged
            print(
                f"reused {len(reused_ids)} {item}(s) from the cache (what they read is "
                f"unchanged): {', '.join(reused_ids)}"
            )
    reused = getattr(result, "validation_reused", None)
    if reused == "snapshot":
        print("validation reused: the validated snapshot of every record type (inputs unchanged)")
    elif reused:
        print(f"validation reused for {len(reused)} record type(s): {', '.join(reused)}")
    else:
        print("validation reused: none (every record type validated)")
    if not result.signed:
        print("manifest not signed (no signing key; create one with `qms keys init`)")
    for fmt, reason in result.skipped.items():
        print(f"{fmt} skipped: {reason}")
    for run in result.failed:
        print(
            f"qms {command}: {item} {run.section.id} ({run.section.label}) failed: {run.error}; "
            f"executed notebook: {result.path / run.notebook}",
            file=sys.stderr,
        )


def _cmd_pack(args: argparse.Namespace) -> int:
    from qmsdata.pack import build_pack

    result = build_pack(
        args.workbook,
        args.period,
        site=args.site,
        out=args.out,
        formats=args.formats.split(","),
        jobs=args.jobs,
        force=args.force,
        as_of=args.as_of,
        data_as_of=args.data_as_of,
        baseline_months=args.baseline_months,
        rules=args.rules,
        notebook_dir=args.notebooks,
        progress=not args.quiet,
        redact=args.redact,
        product=args.product,
        group=args.group,
    )
    _report_build(result, "pack", "section", "pack")
    from qmsdata.pack.after import after_build  # digest, e-mail, retention (qms schedule)

    for line in after_build(result.path, args.workbook, keep=args.keep):
        print(line)
    if result.assessability is not None:
        print(f"coverage: this pack {result.assessability.coverage_sentence()}")
        print(f"data quality: {result.quality_verdict}")
    if result.not_fit:
        print(
            "qms pack: not fit to report: " + "; ".join(result.not_fit) + " (the pack is written "
            "for inspection; see its Data quality section)",
            file=sys.stderr,
        )
    return 1 if result.failed or result.not_fit else 0


def _cmd_schedule(args: argparse.Namespace) -> int:
    from qmsdata.schedule import schedule_cli

    sys.stdout.write(
        schedule_cli(
            args.workbook,
            args.out,
            at=args.at,
            cron=args.cron,
            install=args.install,
            force=args.force,
        )
    )
    return 0


def _cmd_trends(args: argparse.Namespace) -> int:
    from qmsdata.pack.trends import build_trends

    result = build_trends(
        args.workbook,
        args.period,
        process=args.process,
        site=args.site,
        objective=args.objective,
        all_subjects=args.all,
        out=args.out,
        formats=args.formats.split(","),
        jobs=args.jobs,
        force=args.force,
        as_of=args.as_of,
        data_as_of=args.data_as_of,
        baseline_months=args.baseline_months,
        rules=args.rules,
        progress=not args.quiet,
    )
    _report_build(result, "trends", "subject", "trend analyses")
    print(f"index: {result.path / 'index.html'}")
    return 1 if result.failed else 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from qmsdata.pack.verify import verify_pack

    result = verify_pack(args.pack, public_key=args.public_key)
    print(result)
    return 0 if result.ok else 1


def _cmd_keys(args: argparse.Namespace) -> int:
    from qmsdata.keys import PUBLIC_KEY, config_dir, fingerprint, init_keys, load_public_key

    folder = Path(args.dir) if args.dir else config_dir()
    if args.keys_command == "init":
        print(init_keys(folder, force=args.force))
        return 0
    pub = folder / PUBLIC_KEY
    if not pub.is_file():
        print(f"no signing key in {folder}; run: qms keys init")
        return 1
    print(f"public key: {pub}\nfingerprint: {fingerprint(load_public_key(pub))}")
    return 0


def _cmd_actions(args: argparse.Namespace) -> int:
    import datetime as dt

    from qmsdata.pack.actions import import_actions

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")  # CLI default: backup name only
    res = import_actions(args.file, args.workbook, as_of=args.as_of, stamp=stamp)
    kept = (
        f"previous version kept as {res.backup}"
        if res.backup is not None
        else "a new file qmsdata keeps beside your own; delete it to undo"
    )
    print(f"imported {len(res.added)} review action(s) into {res.source} ({kept})")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from qmsdata.check import check_command

    return check_command(Path(args.workbook))


def _cmd_init(args: argparse.Namespace) -> int:
    from qmsdata.init import init_command

    return init_command(Path(args.directory), force=args.force)


def _cmd_readiness(args: argparse.Namespace) -> int:
    from qmsdata.analytics.readiness import readiness_cli

    text, code = readiness_cli(
        args.workbook, as_of=args.as_of, standard=args.standard, fmt=args.format
    )
    if args.out:
        from qmsdata.files import atomic_write

        atomic_write(Path(args.out), text)
        print(f"readiness report written to {args.out}")
    else:
        sys.stdout.write(text)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qms",
        description=(
            "qmsdata: load, validate and analyse ISO 9001 quality records and build the monthly "
            "management-review pack (ISO 9001 clause 9.3)."
        ),
        epilog=(
            "Start with:  qms demo data/demo  then  qms validate data/demo. "
            "Exit codes: 0 ok, 1 problems found in the data or pack, 2 could not run."
        ),
    )
    parser.add_argument("--version", action="version", version=f"qmsdata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        help="write the deterministic demo workbook (36 months, 2 sites, planted signals)",
        description=(
            "Write a deterministic demo workbook for a fictional SMT electronics manufacturer: "
            "36 months ending at --end, all twelve record types, columns named as real exports "
            "name them (mapped in qms.toml), planted signals for the analytics and a few invalid "
            "rows for quarantine. The same seed and end always give the same files."
        ),
    )
    p.add_argument("directory", help="folder to write the workbook into (created if missing)")
    p.add_argument("--seed", type=int, default=9001, help="random seed (default: 9001)")
    p.add_argument(
        "--end",
        default=DEFAULT_END,
        help=f"last month of the data, YYYY-MM (default: {DEFAULT_END}, not today's date)",
    )
    p.set_defaults(handler=_cmd_demo)

    p = sub.add_parser(
        "validate",
        help="load and validate a workbook; write the data-quality report",
        description=(
            "Load every configured record type, validate it (great-expectations suites built from "
            "the record specs), quarantine failing rows with their reasons and write the "
            "data-quality report (HTML plus failure-case CSVs). Raw files are never modified. "
            "Exit 0 when every row passed, 1 when rows were quarantined, 2 on structural errors."
        ),
    )
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.add_argument(
        "--out",
        default=None,
        help="folder for the data-quality report (default: reports/data-quality)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="validate every record type again (default: reuse the validation of record types "
        "whose source, configuration and data date are unchanged, kept in $QMS_CACHE_DIR, "
        "else ~/.cache/qmsdata)",
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help=(
            "data date YYYY-MM-DD (when the data were extracted); dates after it are rejected "
            "(default: [workbook] as_of in qms.toml, else today)"
        ),
    )
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser(
        "dictionary",
        help="write the data dictionary generated from the record specs",
        description="Write docs/data-dictionary.md (every record type, column, type and rule).",
    )
    p.add_argument("--out", default="docs/data-dictionary.md", help="output Markdown file")
    p.set_defaults(handler=_cmd_dictionary)

    p = sub.add_parser(
        "pack",
        help="build the management-review pack for a period (HTML, PDF, data, manifest)",
        description=(
            "Load and validate the workbook, run the section notebooks (qmsdata/notebooks/pack) "
            "with papermill in parallel and write reports/<period>/: pack.html (one offline file, "
            "contents by ISO 9001 clause), pack.pdf (printed by headless Chromium; skipped with "
            "a reason when Chromium is absent), sections/*.ipynb (executed notebooks), data/*.csv "
            "(the numbers behind every table and figure) and manifest.json (inputs, parameters, "
            "versions, hash of every output). Unchanged sections are reused from the cache in "
            "<out>/.cache. The pack is built in a temporary folder and moved into place, so an "
            "interrupted build leaves the previous pack intact. Exit 0 when every section "
            "rendered, 1 when a section failed (named, with its executed notebook) or a review "
            "input is not fit to report (a record type with no accepted rows, or more rows "
            "quarantined than [quality] max_quarantined_share; the pack is still written), 2 "
            "when the pack could not be built."
        ),
    )
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.add_argument(
        "--period",
        required=True,
        help="month YYYY-MM, calendar quarter YYYYQn, fiscal quarter FYyyyyQn "
        "(fiscal_year_start in qms.toml), or, counted back from the data date, last (the last "
        "complete month) or last-quarter (the last complete fiscal quarter)",
    )
    p.add_argument("--site", default=None, help="one site only (writes <out>/<period>-<site>)")
    p.add_argument("--product", default=None, help="one product only (records with a product)")
    p.add_argument(
        "--group",
        action="store_true",
        help="group pack: every site side by side (fleet screening, funnel plots across sites)",
    )
    p.add_argument("--out", default="reports", help="parent folder of the packs (default: reports)")
    p.add_argument(
        "--formats",
        default="html,pdf",
        help="comma-separated outputs: html, pdf, pptx (the meeting deck: title, exception "
        "summary, objective matrix, one slide per signal of concern) (default: html,pdf)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at once (default: number of CPU cores)",
    )
    p.add_argument("--force", action="store_true", help="ignore the cache; re-run every section")
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="reporting date YYYY-MM-DD: the pack shows the records as at it (default: last "
        "day of --period, or the data date while the period is still in progress)",
    )
    p.add_argument(
        "--data-as-of",
        dest="data_as_of",
        default=None,
        help="data date YYYY-MM-DD, when the data were extracted; later dates are rejected "
        "(default: [workbook] as_of in qms.toml, else today)",
    )
    p.add_argument(
        "--baseline-months",
        dest="baseline_months",
        type=int,
        default=12,
        help="months of baseline for control limits (default: 12)",
    )
    p.add_argument("--rules", default="anhoej", help="run-rule set for charts (default: anhoej)")
    p.add_argument(
        "--notebooks",
        default=None,
        help="folder of section notebooks (default: those shipped in qmsdata/notebooks/pack)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--redact",
        action="store_true",
        help="pseudonymise customer names and free-text descriptions (keyed pseudonyms) for "
        "distribution beyond the review board; writes <out>/<period>-redacted",
    )
    p.add_argument(
        "--keep",
        type=int,
        default=None,
        help="keep the last N packs in --out, delete older ones (default: [reports] keep in "
        "qms.toml, else keep all; packs the coverage history reads are always kept)",
    )
    p.set_defaults(handler=_cmd_pack)

    p = sub.add_parser(
        "schedule",
        help="print (or install) a monthly systemd timer or cron line that builds the pack",
        description=(
            "Print a systemd user service and timer (Persistent=true: a run missed while the "
            "machine was off happens at the next start) or, with --cron, a crontab line, that "
            "runs `qms pack WORKBOOK --period last --out DIR` (the last complete month before "
            "the data date). With --install the units are written to "
            "~/.config/systemd/user/ (never replacing one without --force). The job's exit "
            "status: 0 built, 1 built with data problems or failed sections, 2 could not run. "
            "After each build the digest is written beside the pack and e-mailed when "
            "[notify] is set in qms.toml."
        ),
    )
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.add_argument("--out", default="reports", help="parent folder of the packs (default: reports)")
    p.add_argument(
        "--at",
        default="monthly day 2 06:00",
        help='when: "monthly day D HH:MM" (D 1-28) or "daily HH:MM" (default: monthly day 2 06:00)',
    )
    p.add_argument("--cron", action="store_true", help="print a crontab line instead")
    p.add_argument(
        "--install", action="store_true", help="write the units to ~/.config/systemd/user/"
    )
    p.add_argument("--force", action="store_true", help="with --install: replace existing units")
    p.set_defaults(handler=_cmd_schedule)

    p = sub.add_parser(
        "verify",
        help="check a pack against its manifest (altered, missing, extra files)",
        description=(
            "Re-hash every file of a pack folder and compare with its manifest.json; check that "
            "every path stays inside the pack and that the expected files (pack.html, pack.pdf "
            "when requested, section notebooks and extracts) are there; check manifest.sig "
            "against a trusted public key. Lists altered, missing, extra and unsafe files and "
            "says whether the pack is signed. Exit 0 when intact, 1 when not (with a key: also "
            "when unsigned or not signed by it), 2 when the manifest is missing or malformed."
        ),
    )
    p.add_argument("pack", help="pack folder, e.g. reports/2026-10")
    p.add_argument(
        "--public-key",
        dest="public_key",
        default=None,
        help="trusted Ed25519 public key (PEM) to check manifest.sig against (default: "
        "$QMS_PUBLIC_KEY, else signing-key.pub of the configuration folder; with none the "
        "signature is not checked and the output says so)",
    )
    p.set_defaults(handler=_cmd_verify)

    p = sub.add_parser(
        "keys",
        help="create or show the pack-signing key pair and the redaction secret",
        description=(
            "Keys live in the configuration folder ($XDG_CONFIG_HOME/qmsdata or "
            "~/.config/qmsdata), never in a workbook or a pack: signing-key.pem (Ed25519 "
            "private key, 0600) signs every pack's manifest.json as manifest.sig; "
            "signing-key.pub is what qms verify checks against; redact.key (0600) keys the "
            "pseudonyms of qms pack --redact. Exit 0 done, 1 no key to show, 2 refused."
        ),
    )
    ksub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    for name, text in (
        ("init", "write a new key pair (refuses to replace one without --force)"),
        ("show", "print the public key's path and fingerprint"),
    ):
        kp = ksub.add_parser(name, help=text, description=text)
        kp.add_argument(
            "--dir", default=None, help="configuration folder (default: $XDG_CONFIG_HOME/qmsdata)"
        )
        if name == "init":
            kp.add_argument(
                "--force",
                action="store_true",
                help="replace an existing key pair (packs signed with the old key then fail "
                "verification against the new public key; the redaction secret is kept)",
            )
        kp.set_defaults(handler=_cmd_keys)

    p = sub.add_parser(
        "actions",
        help="work with the review's decisions register (review-actions.csv)",
        description="Work with the management review's decisions and actions (ISO 9001 9.3.3).",
    )
    asub = p.add_subparsers(dest="actions_command", metavar="ACTION")
    p = asub.add_parser(
        "import",
        help="validate a completed review-actions.csv and append it to the workbook",
        description=(
            "Validate the completed decisions register (review_actions columns) and add its "
            "rows to <workbook>/qms-review-actions.csv, a file qmsdata keeps and reads after "
            "the workbook's own review_actions source, so the meeting's decisions become next "
            "period's input 9.3.2 a. Your own files (CSV, XLSX, database) are never written. "
            "Text is stored as text (formula-like cells neutralised). The write is atomic, "
            "holds the workbook's lock (a second import waits), and the previous version is "
            "kept under <workbook>/.qms-backup/. Refused, with nothing written, when a row fails "
            "validation, an action ID is already in the workbook, a required column is missing, "
            "or the register holds control characters, over-long cells or multi-line IDs. Exit "
            "0 when imported, 2 when refused."
        ),
    )
    p.add_argument("file", help="the completed review-actions.csv")
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="reporting date YYYY-MM-DD (default: the register's latest review date)",
    )
    p.set_defaults(handler=_cmd_actions)

    p = sub.add_parser(
        "readiness",
        help="certification readiness clause by clause, computed from the records",
        description=(
            "Judge every clause of the ISO 9001 profile from the records (evidenced, partly "
            "evidenced, no evidence in the records, nonconforming, or not assessed when the "
            "records are not configured), with the rule and the record IDs behind each verdict; "
            "a weighted readiness score; where the organisation stands on the road to "
            "certification with the next steps; and, for ISO 9001:2026, the transition list. "
            "Exit 0 when every assessed clause is evidenced, 1 when a clause is partly "
            "evidenced, without evidence or nonconforming, 2 when it could not run."
        ),
    )
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="date to judge at, YYYY-MM-DD: the records as they stood then (default: the "
        "data date, [workbook] as_of in qms.toml, else today)",
    )
    p.add_argument(
        "--standard",
        default=None,
        help='clause profile, e.g. "ISO 9001:2015", "ISO 9001:2015+A1:2024", "ISO 9001:2026" '
        "(default: [workbook] standard in qms.toml, else the edition in force)",
    )
    p.add_argument(
        "--format", choices=("text", "json", "html"), default="text", help="output (default: text)"
    )
    p.add_argument("--out", default=None, help="write to this file instead of standard output")
    p.set_defaults(handler=_cmd_readiness)

    p = sub.add_parser(
        "check",
        help="check a workbook's structure: qms.toml, files, sheets, encodings, headers, maps",
        description=(
            "The structural pass only, in seconds: every mistake in qms.toml (with 'did you "
            "mean' suggestions), missing files, wrong sheets, encodings and delimiters, "
            "required or mapped columns the headers lack, value maps; reads only the headers "
            "and a sample of rows (warnings for sample values that would be quarantined). "
            "Prints every problem at once. Exit 0 when the workbook loads as configured, "
            "2 otherwise."
        ),
    )
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.set_defaults(handler=_cmd_check)

    p = sub.add_parser(
        "init",
        help="propose a qms.toml for a folder of exports (record types, mappings, settings)",
        description=(
            "Inspect the exports in a folder (CSV: encoding, delimiter, header row, decimal "
            "comma, placeholders; Excel: sheets and header row), propose a record type per file "
            "and a column mapping by name similarity to the record specs, and write a commented "
            "qms.toml with TODO lines for what could not be decided. Fill the TODOs, then run "
            "qms check. An existing qms.toml is never overwritten without --force."
        ),
    )
    p.add_argument("directory", nargs="?", default=".", help="folder holding the exports")
    p.add_argument("--force", action="store_true", help="overwrite an existing qms.toml")
    p.set_defaults(handler=_cmd_init)

    p = sub.add_parser(
        "trends",
        help="PDCA trend analyses: what was changed, when, and whether it worked",
        description=(
            "Run the PDCA trend analyses (qmsdata/notebooks/pdca) with the engine of `qms pack` "
            "(validated snapshot, parallel kernels, cache, atomic output, manifest, signing, "
            "`qms verify`) into <out>/trends/<period>[-<site>]/: index.html (every subject, its "
            "latest change and verdict, concerns first), pack.html and pack.pdf (the analyses), "
            "objectives/<id>.html (evidence of each objective's achievement), decisions.csv "
            "(proposed decisions, importable with `qms actions import`), data/, sections/ and "
            "manifest.json. --all analyses every process with a documented change and every "
            "objective. Exit 0 when every analysis rendered, 1 when one failed, 2 when the "
            "analyses could not be built."
        ),
    )
    p.add_argument("workbook", nargs="?", default=".", help="workbook folder with qms.toml")
    p.add_argument("--period", required=True, help="month YYYY-MM or quarter YYYYQn / FYyyyyQn")
    p.add_argument("--process", default=None, help="analyse this process")
    p.add_argument("--site", default=None, help="at this site only (writes <period>-<site>)")
    p.add_argument("--objective", default=None, help="analyse this quality objective")
    p.add_argument(
        "--all",
        action="store_true",
        help="every process with a documented change and every objective",
    )
    p.add_argument(
        "--out", default="reports", help="parent of the trends folder (default: reports)"
    )
    p.add_argument("--formats", default="html,pdf", help="html, pdf (default: html,pdf)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: cores)")
    p.add_argument("--force", action="store_true", help="ignore the cache; re-run every analysis")
    p.add_argument("--as-of", dest="as_of", default=None, help="reporting date YYYY-MM-DD")
    p.add_argument("--data-as-of", dest="data_as_of", default=None, help="data date YYYY-MM-DD")
    p.add_argument(
        "--baseline-months", dest="baseline_months", type=int, default=12,
        help="months of baseline for control limits (default: 12)",
    )  # fmt: skip
    p.add_argument("--rules", default="anhoej", help="run-rule set (default: anhoej)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_cmd_trends)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qms`` command line; return the exit code."""
    from qmsdata.optional import skip

    skip()  # this process is qmsdata's: no optional package it never uses (qmsdata.optional)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except QmsError as exc:
        print(f"qms {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            f"qms {args.command}: interrupted; no partial output was left in place",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
