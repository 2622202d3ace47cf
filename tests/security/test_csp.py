"""The pack page's Content-Security-Policy (issue 16 point 10): no network, no form or base target.

Escaping record text is the defence (tables, narrative, plotly labels); the CSP is the second
line: nothing is loaded from a network address, a form cannot be submitted anywhere and a
``<base>`` element cannot redirect the page's relative links.
"""

from __future__ import annotations

import re

from qmsdata.pack.export import CSP, assemble


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_csp_forbids_network_forms_and_base() -> None:
    d = _directives(CSP)
    assert d["default-src"] == ["'none'"]
    assert d["form-action"] == ["'none'"]
    assert d["base-uri"] == ["'none'"]
    assert "'unsafe-eval'" not in CSP
    assert not re.search(r"https?:|\*|wss?:", CSP), "no network source anywhere"
    for name in ("connect-src", "frame-src", "object-src", "child-src", "worker-src"):
        assert name not in d, f"{name} falls back to default-src 'none'"


def test_pack_page_and_print_page_carry_the_csp() -> None:
    for mode in ("html", "print"):
        page = assemble([], title="<T>", facts=[("Org", "<O>")], mode=mode)
        assert f'http-equiv="Content-Security-Policy" content="{CSP}"' in page
