"""What runs after a pack is built by ``qms pack``: the digest, its e-mail, retention.

Each step reads the finished pack (never the build) and reports what it did in one line; a
failure of the e-mail is reported and leaves the pack and its digest in place.
"""

from __future__ import annotations

from pathlib import Path


def after_build(pack: str | Path, workbook: str | Path, *, keep: int | None = None) -> list[str]:
    """Write the digest, mail it when ``[notify]`` says so, prune old packs; return messages.

    Parameters
    ----------
    pack
        The built pack folder.
    workbook
        The workbook folder (its ``qms.toml`` has ``[notify]`` and ``[reports] keep``).
    keep
        Packs to keep (``--keep``); default ``[reports] keep``; None keeps every pack.

    Raises
    ------
    QmsError
        ``[notify]`` or ``[reports]`` is wrong, or the e-mail could not be sent (after the
        digest files were written and old packs pruned).
    """
    from qmsdata.config import read_notify, read_reports
    from qmsdata.pack.digest import read_digest, send_digest, write_digest
    from qmsdata.pack.retention import prune_packs

    pack = Path(pack)
    notify = read_notify(workbook)  # a bad [notify] is said before anything is deleted
    keep = keep if keep is not None else read_reports(workbook).keep
    txt, _html = write_digest(pack)
    messages = [f"digest written to {txt} (and .html)"]
    if keep is not None:
        gone = prune_packs(pack.parent, keep)
        if gone:
            messages.append(
                f"retention: removed {len(gone)} old pack(s): " + ", ".join(p.name for p in gone)
            )
    if notify is not None:
        send_digest(read_digest(pack), notify)
        messages.append(f"digest e-mailed to {', '.join(notify.to)} via {notify.smtp_host}")
    return messages
