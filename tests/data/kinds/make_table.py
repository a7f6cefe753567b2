"""Write recommendations_table.docx: a FICTIONAL thematic list of UPR recommendations (python-docx).

Fictional text for tests. It imitates the Word "thematic lists" of Universal Periodic Review
recommendations: landscape page, a running header, tables with a header row
(Recommendation | Position | Full list of themes), a merged "Theme: ..." row across the table,
and theme cells of several paragraphs. The recommendations are those of the fictional review
report review.txt (same numbers, same text, same recommending States).
Run:  .venv/bin/python tests/data/kinds/make_table.py  (deterministic: same bytes each run)
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
TITLE = "Universal Periodic Review of Fictionland: thematic list of recommendations"
HEADER = "UPR of Fictionland (4th Cycle - 99th session)\t\tThematic list of recommendations\t\tFictional text for tests"
COLUMNS = ("Recommendation", "Position", "Full list of themes")

D27 = "D27 Prohibition of slavery, trafficking"
A41 = "A41 Constitutional and legislative framework"
B51 = "B51 Right to an effective remedy"
D51 = "D51 Administration of justice and fair trial"
A12 = "A12 Acceptance of international norms"
G4 = "G4 Migrants"

# (recommendation as printed, position, theme lines); table 1 starts with a merged theme row
TABLE_1_THEME = "Theme: " + D27
TABLE_1 = [
    ("90.3 Strengthen measures to combat trafficking in persons, in particular trafficking in women and "
     "children for the purpose of sexual exploitation (Lilliput);", "Supported",
     [D27, "Affected persons:", "- women", "- children"]),
    ("90.4 Adopt a new national action plan against trafficking in persons and allocate sufficient resources "
     "for its implementation (Erewhon (Federated States of), Ruritania, Zembla);", "Supported",
     [D27, A41, "Affected persons:", "- general"]),
    ("90.5 Ensure that victims of trafficking have access to shelters, legal aid and compensation, regardless "
     "of their willingness to cooperate with the prosecution (Genovia);", "Supported",
     [D27, B51, "Affected persons:", "- victims of trafficking"]),
    ("90.6 Continue its efforts to identify victims of trafficking among migrants and asylum seekers "
     "(Freedonia);", "Supported",
     [D27, G4, "Affected persons:", "- migrants", "- asylum seekers"]),
    ("90.7 Provide systematic training to police officers, prosecutors, judges and labour inspectors on the "
     "identification of victims of trafficking in persons and on victim-centred approaches "
     "(Borduria, Syldavia);", "Supported",
     [D27, D51, "Affected persons:", "- victims of trafficking"]),
    ("90.8 Investigate and prosecute cases of trafficking for forced labour in agriculture and construction, "
     "and ensure that perpetrators receive penalties commensurate with the gravity of the crime (Laputa);",
     "Supported", [D27, D51, "Affected persons:", "- general"]),
    ("90.9 Strengthen cooperation with countries of origin and transit in the fight against trafficking in "
     "persons (Graustark);", "Supported", [D27, "Affected persons:", "- general"]),
    ("90.12 Strengthen measures to combat trafficking in persons (Utopia).", "Supported",
     [D27, A41, "Affected persons:", "- general"]),
]
TABLE_2_HEADING = "Acceptance of international norms"
TABLE_2 = [
    ("90.1 Ratify the Fictional Convention on the Protection of the Rights of All Migrant Workers (FCMW) "
     "(Arcadia);", "Noted", [A12, G4, "Affected persons:", "- migrants"]),
    ("90.2 Consider ratifying the Fictional Convention on Decent Work for Domestic Workers (Arcadia) "
     "(Utopia);", "Noted", [A12, D27, "Affected persons:", "- domestic workers"]),
    ("90.10 Establish an independent national rapporteur on trafficking in persons (Florin);", "Supported",
     [D27, A41, "Affected persons:", "- victims of trafficking"]),
]


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def fill(cell, lines: list[str], bold: bool = False) -> None:
    """One paragraph a line, as the real lists have them."""
    cell.text = ""
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        run = p.add_run(line)
        run.bold = bold
        run.font.size = Pt(9)


def table(doc, rows, theme: str | None = None) -> None:
    t = doc.add_table(rows=1, cols=3)
    t.style = "Table Grid"
    head = t.rows[0]
    repeat_header(head)
    for cell, name in zip(head.cells, COLUMNS):
        fill(cell, [name], bold=True)
    if theme:
        merged = t.add_row()
        cell = merged.cells[0].merge(merged.cells[2])
        fill(cell, [theme], bold=True)
    for rec, position, themes in rows:
        r = t.add_row()
        fill(r.cells[0], [rec])
        fill(r.cells[1], [position])
        fill(r.cells[2], themes)
    for r in t.rows:
        for cell, width in zip(r.cells, (Cm(14), Cm(3), Cm(8))):
            cell.width = width


def build(out: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    section.header.paragraphs[0].text = HEADER
    doc.add_heading(TITLE, level=1)
    table(doc, TABLE_1, theme=TABLE_1_THEME)
    doc.add_heading(TABLE_2_HEADING, level=2)
    table(doc, TABLE_2)
    props = doc.core_properties
    props.title = TITLE
    props.author = "Fictional (tests)"
    props.comments = "Fictional text for tests; not a United Nations document."
    props.created = props.modified = datetime(2099, 1, 1)
    props.last_modified_by = "Fictional (tests)"
    props.revision = 1
    doc.save(str(out))
    fix_zip_dates(out)


def fix_zip_dates(path: Path) -> None:
    """Same bytes on every run: the zip entries get one fixed date instead of the time of saving."""
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(2099, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    build(HERE / "recommendations_table.docx")
    print("wrote", HERE / "recommendations_table.docx")
