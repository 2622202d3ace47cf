"""The wheel is enough: built, installed without the source into a fresh venv, it runs
``qms demo``, ``qms pack`` and ``qms verify`` from a folder outside the checkout.

The fresh venv has no pip and no access to the checkout: the wheel is installed into it with
``--no-deps``, and the locked dependencies come from the project venv's site-packages through a
``.pth`` file (a plain path line: the project venv's own ``.pth`` files — among them the
editable install of this checkout — are not processed, so ``import qmsdata`` can only find the
wheel). nbconvert's templates are data files under ``<venv>/share/jupyter/nbconvert`` (a
dependency's, not ours): they are linked in, and the venv's own ``python3`` kernel is
registered as ``make setup`` does, so the section notebooks run on the wheel too. Everything
runs offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DATA_SUFFIXES = (".ipynb", ".j2", ".css", ".json", ".html", ".toml", ".typed")


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 1200):
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return res


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("setuptools")
    src = tmp_path_factory.mktemp("src")  # a copy: the build leaves build/ and *.egg-info behind
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(
        REPO / "qmsdata",
        src / "qmsdata",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"),
    )
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    res = _run([*cmd, "--no-index", "-q", "-w", str(out), str(src)], src, dict(os.environ))
    assert res.returncode == 0, res.stderr[-3000:]
    [whl] = out.glob("qmsdata-*.whl")
    return whl


def test_wheel_holds_every_package_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "qmsdata").rglob("*")
        if p.is_file() and p.suffix in PACKAGE_DATA_SUFFIXES and "__pycache__" not in p.parts
    ]
    assert any(d.startswith("qmsdata/notebooks/pack/") for d in data)
    missing = sorted(set(data) - names)
    assert not missing, f"not in the wheel: {missing}"


def test_installed_wheel_runs_demo_pack_verify_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    res = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, {})
    assert res.returncode == 0, res.stderr
    py = venv / "bin" / "python"
    site = Path(
        _run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path, {}
        ).stdout.strip()
    )
    # the locked dependencies: the project venv's site-packages, after the new venv's own
    (site / "zz-locked-deps.pth").write_text(sysconfig.get_path("purelib") + "\n", "utf-8")
    uv = Path(sys.executable).parent / "uv"
    if uv.is_file():
        install = [str(uv), "pip", "install", "--offline", "--python", str(py)]
    else:
        install = [sys.executable, "-m", "pip", "install", "--python", str(py), "--no-index"]
    res = _run([*install, "--no-deps", str(wheel)], tmp_path, dict(os.environ))
    assert res.returncode == 0, res.stderr[-3000:]

    share = venv / "share" / "jupyter"
    share.mkdir(parents=True)
    (share / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    res = _run(
        [str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], tmp_path, {}
    )
    assert res.returncode == 0, res.stderr[-3000:]
    kernel = json.loads((share / "kernels" / "python3" / "kernel.json").read_text("utf-8"))
    assert kernel["argv"][0] == str(py)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "LANG": "C.UTF-8",
    }
    where = _run(
        [str(py), "-c", "import qmsdata, sys; print(qmsdata.__file__); print(sys.prefix)"],
        work,
        env,
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(venv)), where.stdout  # the wheel, not the checkout
    qms = str(venv / "bin" / "qms")

    res = _run([qms, "demo", "wb"], work, env)
    assert res.returncode == 0, res.stderr[-3000:]
    res = _run(
        [qms, "pack", "wb", "--period", "2026-10", "--formats", "html", "--quiet", "--jobs", "2"],
        work,
        env,
    )
    # 0 built; 1 built with data problems (the demo plants quarantined rows); 2 failed
    assert res.returncode in (0, 1), res.stdout[-3000:] + res.stderr[-3000:]
    pack = work / "reports" / "2026-10"
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    failed = [s["id"] for s in manifest["sections"] if s["status"] != "ok"]
    assert not failed, res.stderr[-3000:]
    assert len(manifest["sections"]) >= 10 and (pack / "pack.html").stat().st_size > 100_000
    assert (work / "reports" / "2026-10.digest.txt").is_file()
    res = _run([qms, "verify", str(pack)], work, env)
    assert res.returncode == 0, res.stdout + res.stderr
