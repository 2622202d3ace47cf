"""``qms schedule``: a systemd user timer (or a cron line) that builds the pack every month.

The job runs ``qms pack WORKBOOK --period last --out DIR --quiet``: ``last`` is the last
complete month before the data date, so the schedule does no date arithmetic. The systemd timer
has ``Persistent=true``: a run missed while the machine was off happens at the next boot.

Exit codes of the job (what a monitor reads, e.g. ``systemctl --user show -p ExecMainStatus``):

- 0 — the pack was built;
- 1 — the pack was built, with data problems or failed sections (read the digest);
- 2 — the pack could not be built (bad workbook, bad configuration, a build already running).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from qmsdata.errors import QmsError

DEFAULT_AT = "monthly day 2 06:00"
EXIT_CODES = {0: "built", 1: "built with data problems or failed sections", 2: "could not run"}
_AT_RE = re.compile(
    r"^\s*(?:(?P<monthly>monthly)\s+day\s+(?P<day>\d{1,2})|(?P<daily>daily))\s+"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class When:
    """When the job runs: a day of the month (None: every day) and a time."""

    day: int | None
    hour: int
    minute: int

    @property
    def on_calendar(self) -> str:
        """Return the systemd ``OnCalendar=`` value."""
        day = f"{self.day:02d}" if self.day else "*"
        return f"*-*-{day} {self.hour:02d}:{self.minute:02d}:00"

    @property
    def cron(self) -> str:
        """Return the five cron time fields."""
        return f"{self.minute} {self.hour} {self.day or '*'} * *"


def parse_at(text: str) -> When:
    """Read ``--at``: ``"monthly day D HH:MM"`` (D 1-28) or ``"daily HH:MM"``.

    Raises
    ------
    QmsError
        Anything else (a day after 28 would skip February).
    """
    m = _AT_RE.match(str(text))
    hint = 'Write --at "monthly day 2 06:00" or --at "daily 06:00".'
    if not m:
        raise QmsError(f"--at {text!r} is not a schedule qms understands", hint=hint)
    hour, minute = int(m["h"]), int(m["m"])
    day = int(m["day"]) if m["monthly"] else None
    if hour > 23 or minute > 59:
        raise QmsError(f"--at {text!r}: {hour}:{minute:02d} is not a time of day", hint=hint)
    if day is not None and not 1 <= day <= 28:
        raise QmsError(
            f"--at {text!r}: day {day} is not in every month",
            hint="Use a day from 1 to 28 (the data of the month before are then complete).",
        )
    return When(day, hour, minute)


def qms_command() -> list[str]:
    """Return how to start this ``qms`` (the script beside this Python, else ``-m``)."""
    script = Path(sys.executable).parent / "qms"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "qmsdata.cli"]


def job_command(workbook: Path, out: Path) -> list[str]:
    """Return the command the schedule runs."""
    return [*qms_command(), "pack", str(workbook), "--period", "last", "--out", str(out), "--quiet"]


def unit_name(workbook: Path) -> str:
    """Return the unit name: ``qmsdata-pack-<workbook folder>`` (letters, digits, - and _)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", workbook.name).strip("-") or "workbook"
    return f"qmsdata-pack-{slug[:60]}"


def _systemd_word(word: str) -> str:
    """Quote one ExecStart= word for systemd (``%`` specifiers and ``$`` escaped)."""
    if any(c in word for c in "\n\r\0"):
        raise QmsError(f"path {word!r} holds a line break; systemd cannot run it")
    text = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{text}"'


def _systemd_value(text: str) -> str:
    """Return a path or text for a whole-line setting (``%`` specifiers escaped)."""
    if any(c in text for c in "\n\r\0"):
        raise QmsError(f"{text!r} holds a line break; systemd cannot use it")
    return text.replace("%", "%%")


def systemd_units(workbook: Path, out: Path, when: When) -> dict[str, str]:
    """Return ``{file name: text}`` of the service and the timer."""
    name = unit_name(workbook)
    exec_start = " ".join(_systemd_word(w) for w in job_command(workbook, out))
    codes = "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items())
    service = f"""\
# Written by `qms schedule` (qmsdata). Exit status: {codes}.
[Unit]
Description=qmsdata management-review pack for {_systemd_value(str(workbook))}
Documentation=man:systemd.timer(5)

[Service]
Type=oneshot
WorkingDirectory={_systemd_value(str(workbook))}
ExecStart={exec_start}
# [notify] credentials come from the environment, never from qms.toml, e.g.:
# EnvironmentFile=%h/.config/qmsdata/smtp.env
"""
    timer = f"""\
# Written by `qms schedule` (qmsdata): builds the pack of the last complete month.
[Unit]
Description=Monthly qmsdata management-review pack for {_systemd_value(str(workbook))}

[Timer]
OnCalendar={when.on_calendar}
# a run missed while the machine was off happens at the next start
Persistent=true
Unit={name}.service

[Install]
WantedBy=timers.target
"""
    return {f"{name}.service": service, f"{name}.timer": timer}


def cron_line(workbook: Path, out: Path, when: When) -> str:
    """Return a crontab line (output appended to ``<out>/qms-pack.log``)."""
    cmd = " ".join(shlex.quote(w) for w in job_command(workbook, out))
    log = shlex.quote(str(out / "qms-pack.log"))
    line = f"{when.cron} cd {shlex.quote(str(workbook))} && {cmd} >> {log} 2>&1"
    return line.replace("%", "\\%")  # cron turns an unescaped % into a newline


def unit_folder() -> Path:
    """Return the systemd user unit folder (``$XDG_CONFIG_HOME/systemd/user``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install_units(units: dict[str, str], folder: Path, *, force: bool = False) -> list[Path]:
    """Write the unit files into ``folder``; refuse to replace one without ``force``.

    Raises
    ------
    QmsError
        A unit file is already there and ``force`` is False (nothing is written).
    """
    from qmsdata.files import atomic_write

    paths = [folder / name for name in units]
    there = [p for p in paths if p.exists()]
    if there and not force:
        raise QmsError(
            f"{there[0]} already exists; nothing was written",
            hint="Give --force to replace it (or remove it first).",
        )
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        atomic_write(path, units[path.name])
    return paths


def schedule_cli(
    workbook: str | Path,
    out: str | Path,
    *,
    at: str = DEFAULT_AT,
    cron: bool = False,
    install: bool = False,
    force: bool = False,
) -> str:
    """Return what ``qms schedule`` prints (and install the units when asked)."""
    from qmsdata.config import read_config

    wb = Path(workbook).resolve()
    read_config(wb)  # a schedule for a folder that is not a workbook would only fail later
    out_dir = Path(out).resolve()
    when = parse_at(at)
    if cron:
        if install:
            raise QmsError(
                "--install writes systemd units; a cron line is added with `crontab -e`",
                hint="Drop --cron to install the systemd timer, or paste the line into crontab.",
            )
        return cron_line(wb, out_dir, when) + "\n"
    units = systemd_units(wb, out_dir, when)
    name = unit_name(wb)
    if install:
        paths = install_units(units, unit_folder(), force=force)
        return (
            "".join(f"wrote {p}\n" for p in paths)
            + "now run:\n  systemctl --user daemon-reload\n"
            + f"  systemctl --user enable --now {name}.timer\n"
            + '  loginctl enable-linger "$USER"   # run while you are logged out\n'
            + f"check: systemctl --user list-timers {name}.timer; "
            + f"systemctl --user show -p ExecMainStatus {name}.service\n"
        )
    return "".join(f"# --- {n}\n{t}\n" for n, t in units.items())
