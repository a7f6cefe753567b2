"""Write session_report.txt and session_report.pdf: a FICTIONAL report of a council session (A/HRC/99/2).

Fictional text for tests: the session, symbol, resolutions, votes and States are invented. It imitates the
report of the Human Rights Council on a session: masthead, the resolutions and decisions it adopted (each
with its own numbering, closing meeting line and "[Adopted ...]" line), then the report's own paragraphs,
numbered again from 1. The .txt is laid out as `pdftotext -layout` gives such a report (form feeds,
running header, page numbers "2/5", job number on page 1); the .pdf (fpdf2, core fonts) sets the headings
and titles in bold. Both hold the same text.
Run:  .venv/bin/python tests/data/unseen/make_session_report.py  (deterministic)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from unseen_layout import Masthead, write_pdf, write_txt  # noqa: E402

SYMBOL = "A/HRC/99/2"
TITLE = "Report of the Human Rights Council on its ninety-ninth session"
MASTHEAD = Masthead(SYMBOL, "General Assembly", "Distr.: General", "20 May 2099",
                    ("Original: English", "Fictional text for tests"), "GE.99-05678 (E)", "*9905678*")

IN_FAVOUR = ("Aldovia, Arcadia, Balnibarbi, Borduria, Brobdingnag, Costa Luna, Dunmor, Elbonia, Erewhon, "
             "Estoria, Fictionland, Florin, Freedonia, Genovia, Glubbdubdrib, Graustark, Guilder, Kronland, "
             "Laputa, Lilliput, Marovia, Molvania, North Riveria, Novaria, Orsinia, Pottsylvania, Ruritania, "
             "San Lorenzo, Syldavia, Utopia")
AGAINST = "Carpania, Druvia, Eldoria, Ferania, Grand Fenwick, Kadaria, Luvania, Mervania, Ostrania, Qumar"
ABSTAINING = "Republic of Zembla, Samavia, Taronia, Urbania, Valdonia, Vespuccia, Westeria"

BLOCKS: list[tuple] = [
    ("masthead", MASTHEAD),
    ("lines", ["Human Rights Council", "Ninety-ninth session", "2 March-5 April 2099", "Agenda item 1",
               "Organizational and procedural matters"], True),
    ("title", TITLE),
    ("heading", "I.", "Resolutions"),
    # -- 99/1 ----------------------------------------------------------------------------------------------------
    ("rtitle", "99/1.", "Trafficking in persons, especially women and children: fictional measures of protection"),
    ("chapeau", "The Human Rights Council,"),
    ("pp", "Recalling the Fictional Protocol to Prevent and Punish Trafficking in Persons and all previous "
           "resolutions of the Council on trafficking in persons, especially women and children,"),
    ("pp", "Reaffirming that trafficking in persons violates and impairs the enjoyment of human rights and "
           "remains a serious challenge to humanity,"),
    ("pp", "Deeply concerned that victims of trafficking in persons continue to be punished for offences that "
           "they were compelled to commit as a direct consequence of their situation,"),
    ("para", "1.", "Urges States to ensure that victims of trafficking in persons are not punished for unlawful "
                   "acts that they were compelled to commit as a direct consequence of having been trafficked;"),
    ("para", "2.", "Calls upon States to provide victims with immediate access to shelter, medical care and "
                   "legal assistance, regardless of their willingness to cooperate with the authorities;"),
    ("para", "3.", "Requests the Office of the United Nations High Commissioner for Human Rights to prepare a "
                   "report on good practices in the identification of victims, and to present it to the Council "
                   "at its hundred-and-second session;"),
    ("para", "4.", "Decides to continue its consideration of this question under the same agenda item."),
    ("lines", [" " * 16 + "35th meeting", " " * 16 + "4 April 2099"], False),
    ("bracket", ["[Adopted without a vote.]"]),
    # -- 99/2 ----------------------------------------------------------------------------------------------------
    ("rtitle", "99/2.", "Protection of victims of trafficking in fictional supply chains"),
    ("chapeau", "The Human Rights Council,"),
    ("pp", "Recalling its resolution 98/7 of 6 October 2098 on business and human rights,"),
    ("pp", "Reaffirming the responsibility of all business enterprises to respect human rights throughout "
           "their operations and supply chains,"),
    ("para", "1.", "Encourages business enterprises to exercise human rights due diligence in order to "
                   "identify, prevent and address trafficking in persons in their supply chains;"),
    ("para", "2.", "Calls upon States:"),
    ("sub", "(a)", "To require large enterprises to report publicly on the measures that they have taken to "
                   "prevent trafficking in persons in their supply chains;"),
    ("sub", "(b)", "To ensure that public procurement does not contribute to trafficking in persons or forced "
                   "labour;"),
    ("sub", "(c)", "To provide victims with access to effective remedies, including compensation;"),
    ("para", "3.", "Decides to convene, at its hundred-and-first session, a panel discussion on trafficking in "
                   "persons in supply chains."),
    ("lines", [" " * 16 + "35th meeting", " " * 16 + "4 April 2099"], False),
    ("bracket", ["[Adopted without a vote.]"]),
    # -- 99/3 ----------------------------------------------------------------------------------------------------
    ("rtitle", "99/3.", "Technical cooperation with Fictionland in the field of human rights"),
    ("chapeau", "The Human Rights Council,"),
    ("pp", "Recalling its resolution 97/12 of 7 October 2097 on technical cooperation with Fictionland,"),
    ("pp", "Reaffirming its commitment to the sovereignty, independence and territorial integrity of "
           "Fictionland,"),
    ("pp", "Reaffirming also that States have the primary responsibility to promote and protect human rights,"),
    ("pp", "Welcoming the cooperation of the Government of Fictionland with the Office of the High "
           "Commissioner,"),
    ("para", "1.", "Requests the Office of the High Commissioner to continue to provide technical assistance to "
                   "Fictionland, in particular to its national rapporteur on trafficking in persons;"),
    ("para", "2.", "Invites the Government of Fictionland to present an oral update to the Council at its "
                   "hundred-and-first session;"),
    ("para", "3.", "Decides to remain seized of the matter."),
    ("lines", [" " * 16 + "37th meeting", " " * 16 + "4 April 2099"], False),
    ("bracket", ["[Adopted by a recorded vote of 30 to 10, with 7 abstentions. The voting was as follows:",
                 "In favour:", "  " + IN_FAVOUR, "Against:", "  " + AGAINST, "Abstaining:", "  " + ABSTAINING + "]"]),
    # -- decisions -----------------------------------------------------------------------------------------------
    ("heading", "II.", "Decisions"),
    ("rtitle", "99/101.", "Panel discussion on trafficking in persons in situations of conflict"),
    ("para", "1.", "At its 40th meeting, on 5 April 2099, the Human Rights Council decided to convene, at its "
                   "hundred-and-first session, a panel discussion on trafficking in persons in situations of "
                   "conflict, with the participation of survivors."),
    ("para", "2.", "The Council also decided to request the Office of the High Commissioner to prepare a "
                   "summary report on the panel discussion and to submit it to the Council at its "
                   "hundred-and-second session."),
    ("lines", [" " * 16 + "40th meeting", " " * 16 + "5 April 2099"], False),
    ("bracket", ["[Adopted without a vote.]"]),
    # -- the report's own part -----------------------------------------------------------------------------------
    ("heading", "III.", "Organization of the session"),
    ("subheading", "A.", "Opening and duration of the session"),
    ("para", "1.", "The Human Rights Council held its ninety-ninth session at the United Nations Office at "
                   "Fictionville from 2 March to 5 April 2099. The President of the Council opened the session."),
    ("para", "2.", "In accordance with rule 8 (b) of the fictional rules of procedure of the Council, the "
                   "organizational meeting of the session was held on 23 February 2099."),
    ("subheading", "B.", "Attendance"),
    ("para", "3.", "The session was attended by representatives of States members of the Council, observer "
                   "States, specialized agencies, national human rights institutions and non-governmental "
                   "organizations."),
    ("subheading", "C.", "Adoption of the report on the session"),
    ("para", "4.", "The Council adopted the draft report on its ninety-ninth session ad referendum and "
                   "entrusted the Rapporteur with its finalization."),
]


def build(out_dir: Path) -> tuple[int, int]:
    """Write session_report.txt and session_report.pdf into out_dir; their page counts."""
    pages = write_txt(out_dir / "session_report.txt", BLOCKS, MASTHEAD, SYMBOL)
    return pages, write_pdf(out_dir / "session_report.pdf", BLOCKS, MASTHEAD, SYMBOL, TITLE)


if __name__ == "__main__":
    txt_pages, pdf_pages = build(HERE)
    print(f"wrote session_report.txt ({txt_pages} pages) and session_report.pdf ({pdf_pages} pages)")
