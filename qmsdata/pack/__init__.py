"""Review packs: run the section notebooks, export one offline HTML and a PDF, verify by manifest.

Public names (re-exported from :mod:`qmsdata`): :func:`build_pack`, :func:`verify_pack`, and the
notebook helpers :func:`save_extract`, :func:`show_table`, :func:`narrate`,
:func:`section_workbook`, :func:`section_context`, :func:`section_signals`.
"""

from qmsdata.pack.build import PackResult, build_pack
from qmsdata.pack.context import SectionContext, section_context, section_signals
from qmsdata.pack.notebook import narrate, save_extract, section_workbook, show_table
from qmsdata.pack.request import PackRequest
from qmsdata.pack.sections import SECTIONS, Section
from qmsdata.pack.verify import Verification, verify_pack

__all__ = [
    "SECTIONS",
    "PackResult",
    "PackRequest",
    "Section",
    "SectionContext",
    "Verification",
    "build_pack",
    "narrate",
    "save_extract",
    "section_context",
    "section_signals",
    "section_workbook",
    "show_table",
    "verify_pack",
]
