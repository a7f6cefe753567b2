"""Write sc_resolution.txt and sc_resolution.pdf: a FICTIONAL Security Council resolution, S/RES/9999 (2099).

Fictional text for tests: the resolution, meeting, mission and States are invented. It imitates a Security
Council resolution as the Official Document System prints it: "United Nations  S/RES/9999 (2099)",
"Security Council", "Distr.: General", "Resolution 9999 (2099)", "Adopted by the Security Council at its
12345th meeting, on 3 March 2099", no title of its own, topic headings set on their own line inside the
preamble and the operative part, one long operative paragraph with (a)-(c) and (i)-(iii) sub-items, and the
closing "Decides to remain actively seized of the matter." The .txt is laid out as `pdftotext -layout` gives
it; the .pdf (fpdf2, core fonts) sets the headings in bold. Both hold the same text.
Run:  .venv/bin/python tests/data/unseen/make_sc_resolution.py  (deterministic)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from unseen_layout import Masthead, write_pdf, write_txt  # noqa: E402

SYMBOL = "S/RES/9999 (2099)"
MASTHEAD = Masthead(SYMBOL, "Security Council", "Distr.: General", "3 March 2099",
                    ("Fictional text for tests",), "99-03579 (E)", "*9903579*")

BLOCKS: list[tuple] = [
    ("masthead", MASTHEAD),
    ("lines", [" " * 16 + "Resolution 9999 (2099)"], True),
    ("lines", [" " * 16 + "Adopted by the Security Council at its 12345th meeting, on", " " * 16 + "3 March 2099"],
     False),
    ("chapeau", "The Security Council,"),
    ("pp", "Recalling its previous resolutions and the statements of its President on the situation in "
           "Fictionland, in particular resolution 9876 (2098),"),
    ("pp", "Reaffirming its strong commitment to the sovereignty, independence, territorial integrity and "
           "unity of Fictionland,"),
    ("topic", "Political and security situation"),
    ("pp", "Expressing deep concern at the continued violence in the northern provinces of Fictionland and at "
           "its consequences for the civilian population,"),
    ("pp", "Welcoming the agreement on a ceasefire signed at Fictionville on 1 February 2099 by the Government "
           "of Fictionland and the armed groups,"),
    ("topic", "Trafficking in persons and sexual violence"),
    ("pp", "Expressing grave concern at reports that armed groups traffic women and children for the purposes "
           "of sexual slavery, forced labour and recruitment as fighters,"),
    ("pp", "Determining that the situation in Fictionland continues to constitute a threat to international "
           "peace and security in the region,"),
    ("para", "1.", "Decides to extend the mandate of the Fictional Integrated Mission in Fictionland (FIMF) "
                   "until 31 March 2100;"),
    ("para", "2.", "Demands that all parties respect the ceasefire agreement and allow safe and unhindered "
                   "humanitarian access throughout Fictionland;"),
    ("topic", "Mandate of the Mission"),
    ("para", "3.", "Decides that the mandate of FIMF shall include the following priority tasks:"),
    ("sub", "(a)", "Protection of civilians, including by:"),
    ("sub2", "(i)", "Deterring violence against civilians in the northern provinces, including through "
                   "proactive patrols;"),
    ("sub2", "(ii)", "Identifying and referring victims of trafficking in persons and of sexual violence to "
                    "medical, psychosocial and legal assistance;"),
    ("sub2", "(iii)", "Supporting the national authorities in preventing the recruitment of children by armed "
                     "groups;"),
    ("sub", "(b)", "Support for the implementation of the ceasefire agreement and for the disarmament and "
                   "reintegration of former fighters;"),
    ("sub", "(c)", "Monitoring of and reporting on human rights, including trafficking in persons and "
                   "conflict-related sexual violence;"),
    ("para", "4.", "Calls upon Member States to investigate and prosecute persons responsible for trafficking "
                   "in persons in Fictionland and to cooperate with one another to that end;"),
    ("para", "5.", "Requests the Secretary-General to report to the Council on the implementation of the "
                   "present resolution every 90 days;"),
    ("para", "6.", "Decides to remain actively seized of the matter."),
]


def build(out_dir: Path) -> tuple[int, int]:
    """Write sc_resolution.txt and sc_resolution.pdf into out_dir; their page counts."""
    pages = write_txt(out_dir / "sc_resolution.txt", BLOCKS, MASTHEAD, SYMBOL)
    return pages, write_pdf(out_dir / "sc_resolution.pdf", BLOCKS, MASTHEAD, SYMBOL, "Resolution 9999 (2099)")


if __name__ == "__main__":
    txt_pages, pdf_pages = build(HERE)
    print(f"wrote sc_resolution.txt ({txt_pages} pages) and sc_resolution.pdf ({pdf_pages} pages)")
