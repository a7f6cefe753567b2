"""Write questions_by_state.docx: a FICTIONAL Word list of advance questions for a periodic review (python-docx).

Fictional text for tests: the review, the State under review (Arcadia) and the questioning States are
invented. It imitates the Word files of "advance questions" that States send before a Universal Periodic
Review: a title, then each questioning State's name in capitals as a paragraph of its own, followed by its
questions. The three State lines are set three ways, as real files mix them: FICTIONLAND in Word's Heading 2
style, NORTH RIVERIA only as a bold run in a Normal paragraph, REPUBLIC OF ZEMBLA as plain upper-case
Normal text. The questions are Word-numbered (FICTIONLAND; REPUBLIC OF ZEMBLA, whose list restarts at 1
through a new numbering instance, as Word's "Restart at 1" writes it) or typed with a "•" bullet
(NORTH RIVERIA); REPUBLIC OF ZEMBLA groups its questions under a bold sub-heading "Trafficking in persons".
Run:  .venv/bin/python tests/data/unseen/make_questions_by_state.py  (deterministic)
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HERE = Path(__file__).resolve().parent
TITLE = "Advance questions to Arcadia: Universal Periodic Review, ninety-ninth session"
HEADER = "UPR of Arcadia (99th session)\t\tAdvance questions\t\tFictional text for tests"

FICTIONLAND = [
    "What measures has Arcadia taken to ensure that victims of trafficking in persons are not prosecuted for "
    "offences that they were compelled to commit?",
    "How does the national referral mechanism ensure that children identified as victims receive a guardian "
    "without delay?",
    "Could Arcadia provide data on the number of convictions for trafficking for forced labour since its "
    "last review?",
]
NORTH_RIVERIA = [
    "What steps is Arcadia taking to ratify the Fictional Convention on Decent Work for Domestic Workers?",
    "How are labour inspectors trained to recognize the signs of forced labour in private households?",
]
ZEMBLA_INTRO = "Trafficking in persons"
ZEMBLA = [
    "Does Arcadia intend to establish an independent national rapporteur on trafficking in persons?",
    "How will the new national action plan be funded, and which body will monitor its implementation?",
    "What cooperation agreements has Arcadia concluded with countries of origin to ensure the safe return "
    "of victims?",
    "Which measures are in place to prevent the recruitment of migrant workers through fraudulent online "
    "job advertisements?",
]


def restart_numbering(doc) -> str:
    """A new w:num on the List Number list whose level 0 starts again at 1 (Word's "Restart at 1")."""
    numbering = doc.part.numbering_part.element
    style_num = doc.styles["List Number"].element.pPr.find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
    abstract = next(n.find(qn("w:abstractNumId")).get(qn("w:val"))
                    for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == style_num)
    new_id = str(max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), new_id)
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), abstract)
    num.append(ref)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    numbering.append(num)
    return new_id


def numbered(doc, text: str, num_id: str | None = None) -> None:
    p = doc.add_paragraph(text, style="List Number")
    if num_id is not None:
        num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = int(num_id)


def build(out: Path) -> None:
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = HEADER
    doc.add_paragraph(TITLE, style="Title")

    doc.add_heading("FICTIONLAND", level=2)
    for q in FICTIONLAND:
        numbered(doc, q)

    doc.add_paragraph().add_run("NORTH RIVERIA").bold = True
    for q in NORTH_RIVERIA:
        doc.add_paragraph("\u2022\t" + q)

    doc.add_paragraph("REPUBLIC OF ZEMBLA")
    doc.add_paragraph().add_run(ZEMBLA_INTRO).bold = True
    restart = restart_numbering(doc)
    for q in ZEMBLA:
        numbered(doc, q, restart)

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
    build(HERE / "questions_by_state.docx")
    print("wrote", HERE / "questions_by_state.docx")
