"""Write publication.pdf: a FICTIONAL 4-page report chapter in the style of a UNODC global report.

Fictional text for tests: every country, number and finding below is invented. No numbered
paragraphs; blocks are cited by printed page (37-40) and heading. Core fonts only (latin-1).
Run from anywhere:  .venv/bin/python tests/data/kinds/make_publication.py
The output is deterministic (fixed creation date): re-running it gives the same bytes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
REPORT = "Fictional Report on Trafficking in Persons 2099"
CHAPTER = "Chapter 3: Fictional region"
FOOTER = "GLOBAL REPORT ON TRAFFICKING IN PERSONS 2099"
FIRST_PAGE = 37
SHY = "\u00ad"  # soft hyphen: fpdf2 breaks there and prints "-" when the word falls at a line end

# Pages as lists of blocks: each list starts a new page, except that a paragraph overflowing a page
# runs on to the next one by itself and the following list then continues that page.
# Blocks: ("h", heading) | ("p", text) | ("lead", text) | ("fig", caption, bars, source).
# A paragraph's footnote mark is written as {1}; the note text is in NOTES and printed at that page's foot.
PAGES = [
    [
        ("lead", "This chapter presents fictional data on trafficking in persons detected in the Fictional "
                 "region, which comprises eleven imaginary countries. The figures were invented for software "
                 "tests and describe no real country."),
        ("h", "Victims detected"),
        ("p", "In 2098, the countries of the Fictional region detected 4,210 victims of trafficking in persons, "
              "an increase of 12 per cent compared with 2096. Women and girls made up more than half of the "
              "detected victims, while the share of boys rose for the third con"+SHY+"sec"+SHY+"u"+SHY+"tive reporting period."),
        ("p", "Most victims were detected in their own country of citizenship. Cross-border flows were mostly "
              "short, linking neigh"+SHY+"bour"+SHY+"ing countries with large differences in income, and only a small share of "
              "victims were re"+SHY+"pat"+SHY+"ri"+SHY+"ated from other regions.{1}"),
        ("fig", "Fig. 12   Share of detected victims, by age group and sex, 2098",
         [("Women", 34), ("Girls", 21), ("Men", 27), ("Boys", 18)], "Source: fictional data."),
        ("p", "The profile of detected victims differed between the northern and the southern parts of the "
              "region. In the north, adult men trafficked for forced labour in fishing and construction were "
              "detected most often, many of them recruited by acquain"+SHY+"tances; in the south, most detected "
              "victims were girls."),
        ("p", "Children made up 39 per cent of all detected victims, a larger share than in any other fictional "
              "region. Boys were mostly trafficked for forced labour and forced begging, while girls were more "
              "often detected in domestic ser"+SHY+"vi"+SHY+"tude and sexual exploitation. Unaccompanied children moving along "
              "the main migration routes were identified as being at particular risk."),
    ],
    [
        ("h", "Forms of exploitation"),
        ("p", "Trafficking for forced labour was the most frequently detected form of exploitation in the region, "
              "accounting for 46 per cent of victims. Victims were exploited in agriculture, fishing, construction "
              "and domestic work, often after being recruited through informal intermediaries who promised "
              "regular jobs. In the fishing sector, victims were kept at sea for months on vessels that seldom "
              "called at port, which made inspections almost impossible. In agriculture, victims were often "
              "seasonal workers whose wages were withheld until the end of the harvest and then reduced by "
              "charges for housing, food and transport that they had never agreed to pay."),
        ("fig", "Fig. 13   Share of detected victims, by form of exploitation, 2098",
         [("Forced labour", 46), ("Sexual", 38), ("Other", 16)], "Source: fictional data."),
        ("p", "Domestic servitude was reported by nine of the eleven countries. Victims, most of them women and "
              "girls recruited from rural areas, were isolated in private households, deprived of their identity "
              "documents and made to work long hours without pay. Because such exploitation takes place behind "
              "closed doors, it is rarely detected by labour inspectors and comes to light mostly when victims "
              "escape or when neighbours alert the police."),
        ("p", "Trafficking for sexual exploitation accounted for 38 per cent of detected victims, almost all of "
              "them women and girls. Recruitment increasingly took place online, through fictional social media "
              "platforms and messaging services, and victims were often controlled through debts that they could "
              "never repay.{2}"),
        ("p", "Two countries detected victims trafficked for the removal of organs, all of them adults recruited "
              "with false promises of well-paid work abroad. Such cases remain rare in the data, but national "
              "authorities consider that they are seriously under-reported, since victims seldom come forward "
              "and the crime leaves few traces once the victims have returned home."),
        ("p", "Victims of trafficking for the removal of organs were, on average, older than other detected "
              "victims, and most of them had been in debt before they were recruited."),
        ("p", "Other forms of exploitation, including forced criminality and forced begging, made up the remaining "
              "16 per cent. Several countries reported children exploited in street vending, in the transport of "
              "small quantities of drugs and in petty theft, and two countries reported adults forced to work in "
              "fraudulent call centres run by organized criminal groups. Such cases of traf"+SHY+"ficking for "
              "forced criminality were rarely recorded before 2096, and their number has grown in every year "
              "since then. National authorities pointed out that victims of forced criminality risk being treated "
              "as offenders, in particular when they are arrested during police operations against the criminal "
              "groups that exploit them, and that few of them are referred to assistance. Specialized training "
              "for police officers, prosecutors and judges was mentioned by most countries as the first measure "
              "needed to identify these victims and to protect them from punishment for acts that they were "
              "compelled to commit. In the absence of such training, the same persons may be detected twice: "
              "once as suspects and, months later, as victims. Several countries also reported that victims "
              "of forced criminality were reluctant to cooperate with the authorities, fearing prosecution or "
              "retaliation by the groups that had exploited them, and that the evidence needed to prove the "
              "element of coercion was difficult to gather when the victims had been moved between several "
              "countries in a short period of time. Few countries have so far adopted guidance on the application "
              "of the principle of non-punishment to such cases, and the practice of prosecutors varies widely "
              "across the region, even between districts of the same country."),
    ],  # the paragraph above overflows page 38: page 39 opens with its last lines, then the next list
    [
        ("h", "Traffickers convicted"),
        ("p", "Courts in the region convicted 312 persons of trafficking in persons in 2098. Most convicted "
              "traffickers were men, although women made up a larger share of traffickers convicted for the "
              "recruitment of girls."),
        ("p", "Most convicted traffickers operated in small groups of two to five persons, often linked by "
              "family ties, who recruited victims in their own communities. Larger organized criminal groups "
              "were involved mainly in the cross-border cases and in the cases of forced criminality, where "
              "the same group controlled recruitment, transport and exploitation."),
        ("fig", "Fig. 14   Share of women among persons convicted of trafficking in persons, 2094-2098",
         [("2094", 22), ("2096", 27), ("2098", 31)], "Source: fictional data."),
        ("p", "The number of convictions remained low compared with the number of detected victims, which "
              "suggests that many cases never reach the courts. Countries with specialized prosecutors reported "
              "higher con"+SHY+"vic"+SHY+"tion rates than those without, and the average length of criminal proceedings "
              "exceeded two years in most of the countries that provided data."),
    ],
    [
        ("h", "Responses and challenges"),
        ("p", "All countries of the Fictional region have criminalized trafficking in persons in line with the "
              "Fictional Protocol. Eight of the eleven countries have adopted a national action plan, and six have "
              "established a national referral mechanism that links the police, labour inspectors, social services "
              "and civil society organizations."),
        ("p", "Challenges remain. Shelters are concentrated in capital cities, victims of forced labour are less "
              "likely to be identified than victims of sexual exploitation, and data on the outcome of court cases "
              "are incomplete. Closer cooperation between countries of origin and destination, and the systematic "
              "collection of data, would help the region to respond to the changing patterns described in this "
              "chapter."),
        ("p", "The fictional data presented in this chapter will be updated in the next edition of the report, "
              "when the countries of the region are expected to report for the first time on the outcome of "
              "the cases referred to their new specialized courts."),
    ],
]
NOTES = {
    "1": "Fictional data collected for these tests; no real country reported them.",
    "2": "Debt bondage is described here in fictional terms only.",
}

LEFT, RIGHT, TOP = 22.0, 22.0, 24.0
WIDTH = 210.0 - LEFT - RIGHT
LINE = 5.2
BOTTOM = 36.0  # room for the page's notes and the footer


class Chapter(FPDF):
    page_notes: dict[int, list[str]]

    def header(self) -> None:
        printed = FIRST_PAGE + self.page_no() - 1
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.set_xy(LEFT, 10)
        if self.page_no() == 1:
            self.cell(WIDTH, 4, REPORT, align="L")
        elif printed % 2:
            self.cell(WIDTH, 4, CHAPTER, align="R")
        else:
            self.cell(WIDTH, 4, REPORT, align="L")
        self.set_text_color(0, 0, 0)
        self.set_xy(LEFT, TOP)  # body text, also after an automatic page break, starts below the header

    def footer(self) -> None:
        notes(self, self.page_notes.get(self.page_no(), []))
        printed = FIRST_PAGE + self.page_no() - 1
        self.set_xy(LEFT, -16)
        self.set_font("Helvetica", "B", 8)
        self.cell(WIDTH, 4, f"{FOOTER}   {printed}", align="R" if printed % 2 else "L")
        self.set_xy(LEFT, -11)
        self.set_font("Helvetica", "I", 6)
        self.cell(WIDTH, 3, "Fictional text for tests", align="C")


def paragraph(pdf: "Chapter", text: str, size: float = 10, style: str = "") -> None:
    """Body text; a {n} mark becomes a superscript note number glued to the preceding word."""
    pdf.set_font("Helvetica", style, size)
    parts = text.split("{")
    if len(parts) == 1:
        pdf.multi_cell(WIDTH, LINE, text, align="L")
    else:
        # write() flows inline text; the mark is a smaller raised number
        pdf.set_x(LEFT)
        for k, part in enumerate(parts):
            if k == 0:
                pdf.write(LINE, part)
                continue
            mark, rest = part.split("}", 1)
            pdf.page_notes.setdefault(pdf.page_no(), []).append(mark)
            pdf.char_vpos = "SUP"
            pdf.write(LINE, mark)
            pdf.char_vpos = "LINE"
            if rest:
                pdf.write(LINE, rest)
        pdf.ln(LINE)
    pdf.ln(2.8)


def figure(pdf: "Chapter", caption: str, bars: list[tuple[str, int]], source: str) -> None:
    pdf.ln(1.5)
    pdf.set_font("Helvetica", "B", 8.5)
    pdf.multi_cell(WIDTH, 4.2, caption, align="L")
    top = pdf.get_y() + 2
    pdf.set_font("Helvetica", "", 7.5)
    for i, (label, value) in enumerate(bars):
        y = top + i * 6
        pdf.set_xy(LEFT, y)
        pdf.cell(18, 4.5, label)
        pdf.set_fill_color(0, 114, 188)
        pdf.rect(LEFT + 20, y + 0.5, value * 2.2, 3.5, style="F")
        pdf.set_xy(LEFT + 22 + value * 2.2, y)
        pdf.cell(12, 4.5, f"{value}%")
    pdf.set_y(top + len(bars) * 6 + 1.5)
    pdf.set_font("Helvetica", "I", 7.5)
    pdf.cell(WIDTH, 4, source, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def notes(pdf: "Chapter", marks: list[str]) -> None:
    if not marks:
        return
    y = 297 - 22 - 4.5 * len(marks)
    pdf.line(LEFT, y - 1.5, LEFT + 40, y - 1.5)
    pdf.set_font("Helvetica", "", 7)
    for i, m in enumerate(marks):
        pdf.set_xy(LEFT, y + i * 4.5)
        pdf.cell(WIDTH, 4, f"{m}  {NOTES[m]}")


def continued(pdf: "Chapter") -> bool:
    """True where the previous list ended in a paragraph that ran on to a fresh page (a few lines on it)."""
    return pdf.page_no() > 0 and pdf.get_y() < TOP + 40


def build(out: Path) -> None:
    pdf = Chapter(format="A4")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.page_notes = {}
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_creation_date(datetime(2099, 1, 1, tzinfo=timezone.utc))
    pdf.set_title(REPORT)
    pdf.set_author("Fictional Office on Drugs and Crime (fictional, for tests)")
    for n, blocks in enumerate(PAGES):
        # a new list starts a new page, except a page that an overflowing paragraph has just opened
        if n == 0 or not continued(pdf):
            pdf.add_page()
            pdf.set_y(TOP)
        if n == 0:
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(WIDTH, 9, CHAPTER, align="L")
            pdf.ln(4)
        for block in blocks:
            if block[0] == "h":
                pdf.ln(2)
                pdf.set_font("Helvetica", "B", 12.5)
                pdf.multi_cell(WIDTH, 6.5, block[1], align="L")
                pdf.ln(1.5)
            elif block[0] == "lead":
                paragraph(pdf, block[1], size=11, style="B")
            elif block[0] == "p":
                paragraph(pdf, block[1])
            else:
                figure(pdf, block[1], block[2], block[3])
    if pdf.page_no() != 4:
        raise SystemExit(f"{pdf.page_no()} pages, expected 4 (printed pages 37-40)")
    pdf.output(str(out))


if __name__ == "__main__":
    build(HERE / "publication.pdf")
    print("wrote", HERE / "publication.pdf")
