"""Verify a pack against its manifest: which files were altered, are missing or are extra."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qmsdata.pack.manifest import output_files, read_manifest, sha256_file


@dataclass
class Verification:
    """The result of :func:`verify_pack`.

    Attributes
    ----------
    path
        The pack folder.
    checked
        Number of files listed in the manifest.
    altered, missing, extra
        Relative paths whose hash differs, that are gone, and that the manifest does not list.
    """

    path: Path
    checked: int = 0
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when every listed file is present and unchanged and nothing was added."""
        return not (self.altered or self.missing or self.extra)

    def __str__(self) -> str:
        if self.ok:
            return f"{self.path}: intact ({self.checked} files match manifest.json)"
        lines = [f"{self.path}: NOT intact"]
        for label, items in (
            ("altered", self.altered),
            ("missing", self.missing),
            ("extra", self.extra),
        ):
            lines += [f"  {label}: {p}" for p in items]
        return "\n".join(lines)


def verify_pack(path: str | Path) -> Verification:
    """Re-hash every file of a pack and compare with its ``manifest.json``.

    Parameters
    ----------
    path
        The pack folder, e.g. ``reports/2026-10``.

    Returns
    -------
    Verification
        ``.ok`` is True when the pack is intact; otherwise the altered, missing and extra files.

    Raises
    ------
    PackError
        When the folder has no readable manifest.
    """
    root = Path(path)
    doc = read_manifest(root)
    result = Verification(root, checked=len(doc["outputs"]))
    listed = set()
    for item in doc["outputs"]:
        rel = str(item["path"])
        listed.add(rel)
        target = root / rel
        if not target.is_file():
            result.missing.append(rel)
        elif sha256_file(target) != item["sha256"]:
            result.altered.append(rel)
    result.extra = [p for p in output_files(root) if p not in listed]
    return result
