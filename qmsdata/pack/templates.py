"""The pack's HTML pages from Jinja2 templates in ``qmsdata/templates/`` (package data).

Autoescaping is on for every template: a value is text unless the template marks it ``safe``,
and only markup qmsdata produced and escaped itself (section bodies, the CSS, plotly.js) is.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any


@cache
def _environment() -> Any:
    import jinja2

    folder = resources.files("qmsdata").joinpath("templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render(name: str, **values: Any) -> str:
    """Render template ``name`` (e.g. ``"pack_page.html.j2"``) with ``values``."""
    return str(_environment().get_template(name).render(**values))
