"""Optional packages qmsdata's own processes do without (:mod:`qmsdata.optional`)."""

from __future__ import annotations

import subprocess
import sys

from qmsdata.optional import NOT_IMPORTED, skip_code


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_skipped_in_a_qmsdata_process_jsonschema_still_works() -> None:
    # what the qms command and the pack's kernels run first: jsonschema imports without the
    # IRI checker (no Lark grammars built) and still validates
    done = _run(
        skip_code()
        + "import sys, jsonschema\n"
        + "assert sys.modules['rfc3987_syntax'] is None\n"
        + "assert 'lark' not in sys.modules\n"
        + "jsonschema.validate({'a': 1}, {'properties': {'a': {'type': 'integer'}}})\n"
        + "print('ok')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_qms_command_and_the_pack_kernels_skip_them() -> None:
    from qmsdata.pack.execute import WARM_UP

    assert WARM_UP.startswith(skip_code())
    done = _run(
        "import sys\nfrom qmsdata.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        f"print(all(sys.modules.get(n, 1) is None for n in {NOT_IMPORTED!r}))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_a_users_process_is_left_alone() -> None:
    # a notebook that imports qmsdata and loads a workbook keeps every package it has
    done = _run(
        "import sys, qmsdata, qmsdata.workbook, qmsdata.validation.gx\n"
        f"print(any(n in sys.modules for n in {NOT_IMPORTED!r}))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
