"""The constancia de participación as a one-page PDF (fpdf2), with no Telegram in sight.

Texts come from content/messages (section `constancia_pdf`); the header, the place and the
signature lines from the office (bot.office). The fonts are the DejaVu faces
shipped with matplotlib, which cover Spanish (accents, ñ, «») and much more; any character
they lack (an emoji in a name, say) is left out rather than drawn as a box or failing.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from fontTools.ttLib import TTFont
from fpdf import FPDF, XPos, YPos

from bot.models import Constancia
from bot.office import Signature, office
from bot.services.constancias import display_verification_code
from bot.texts import format_date, plain

FONT_DIR = Path(str(files("matplotlib") / "mpl-data" / "fonts" / "ttf"))
FONTS = {
    "serif": ("", "DejaVuSerif.ttf"),
    "serif-bold": ("", "DejaVuSerif-Bold.ttf"),
    "sans": ("", "DejaVuSans.ttf"),
}
GUINDA = (105, 28, 50)
GOLD = (188, 149, 92)
INK = (40, 40, 40)
GREY = (95, 95, 95)
PAGE_WIDTH, PAGE_HEIGHT = 279.4, 215.9
"""US Letter (carta), landscape: the paper size used in Mexican offices."""
MARGIN = 24.0
LONG_TITLE = 90
"""Above this many characters the body is set smaller, to stay clear of the signatures."""


@cache
def _covered(font_file: str) -> frozenset[int]:
    """The code points a font can draw."""
    with TTFont(FONT_DIR / font_file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str, font: str = "serif") -> str:
    """Drops what the font cannot draw (emoji, control characters) and tidies spaces."""
    covered = _covered(FONTS[font][1])
    kept = "".join(ch for ch in text if ord(ch) in covered and ch.isprintable())
    return " ".join(kept.split())


class _Page(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format="letter")
        self.set_auto_page_break(auto=False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        for family, (style, file_name) in FONTS.items():
            self.add_font(family, style, os.fspath(FONT_DIR / file_name))

    def centered(self, text: str, *, font: str, size: float, color: tuple[int, int, int]) -> None:
        """A centred paragraph, wrapped to the page's width."""
        self.set_font(font, size=size)
        self.set_text_color(*color)
        self.multi_cell(
            0, size * 0.55, printable(text, font), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _frame(pdf: _Page) -> None:
    pdf.set_draw_color(*GUINDA)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_WIDTH - 16, PAGE_HEIGHT - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(12, 12, PAGE_WIDTH - 24, PAGE_HEIGHT - 24)


def _rule(pdf: _Page, width: float) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    left = (PAGE_WIDTH - width) / 2
    pdf.line(left, pdf.get_y(), left + width, pdf.get_y())


def _heading(pdf: _Page) -> None:
    pdf.set_y(24)
    identity = office()
    pdf.centered(identity.constancia_header, font="serif-bold", size=14, color=GUINDA)
    pdf.centered(identity.place, font="sans", size=10, color=GREY)
    pdf.ln(3)
    _rule(pdf, 130)
    pdf.ln(9)
    pdf.centered(plain("constancia_pdf.title"), font="serif-bold", size=30, color=GUINDA)
    pdf.ln(8)


def _body(pdf: _Page, constancia: Constancia, tz: ZoneInfo) -> None:
    pdf.centered(plain("constancia_pdf.intro"), font="serif", size=14, color=INK)
    pdf.ln(7)
    pdf.centered(constancia.full_name, font="serif-bold", size=26, color=INK)
    pdf.ln(1)
    _rule(pdf, 160)
    pdf.ln(7)
    pdf.centered(
        plain(
            "constancia_pdf.body",
            title=constancia.talk_title,
            date=format_date(constancia.talk_starts_at, tz),
            minutes=constancia.duration_min,
            organizer=constancia.organizer,
        ),
        font="serif",
        size=14 if len(constancia.talk_title) <= LONG_TITLE else 12,
        color=INK,
    )
    pdf.ln(8)
    pdf.centered(
        plain("constancia_pdf.issued", date=format_date(constancia.issued_at, tz)),
        font="serif",
        size=11,
        color=GREY,
    )


SIGNATURE_WIDTH = 80.0


def _signatures(pdf: _Page, signatures: tuple[Signature, ...]) -> None:
    """Up to two signature lines side by side above the footer: a rule, a name, a position."""
    shown = signatures[:2]
    if not shown:
        return
    gap = (PAGE_WIDTH - 2 * MARGIN - len(shown) * SIGNATURE_WIDTH) / (len(shown) + 1)
    top = min(max(pdf.get_y() + 6, PAGE_HEIGHT - 60), PAGE_HEIGHT - 52)
    for index, signature in enumerate(shown):
        left = MARGIN + gap + index * (SIGNATURE_WIDTH + gap)
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.3)
        pdf.line(left, top, left + SIGNATURE_WIDTH, top)
        pdf.set_xy(left, top + 1.5)
        for text, font, size in ((signature.name, "serif-bold", 10), (signature.role, "sans", 8)):
            if text:
                pdf.set_font(font, size=size)
                pdf.set_text_color(*INK if font == "serif-bold" else GREY)
                pdf.multi_cell(
                    SIGNATURE_WIDTH,
                    size * 0.5,
                    printable(text, font),
                    align="C",
                    new_x=XPos.LEFT,
                    new_y=YPos.NEXT,
                )


def _footer(pdf: _Page, constancia: Constancia) -> None:
    code = display_verification_code(constancia.verification_code)
    pdf.set_y(PAGE_HEIGHT - 40)
    _rule(pdf, PAGE_WIDTH - 2 * MARGIN)
    pdf.ln(4)
    pdf.centered(
        plain("constancia_pdf.folio", folio=constancia.folio, code=code),
        font="serif-bold",
        size=10,
        color=GUINDA,
    )
    pdf.ln(1)
    pdf.centered(plain("constancia_pdf.verify", code=code), font="sans", size=9, color=GREY)


def render_constancia(constancia: Constancia, *, tz: ZoneInfo) -> bytes:
    """The PDF of one constancia, as bytes ready to send."""
    pdf = _Page()
    pdf.set_title(printable(plain("constancia_pdf.title")))
    pdf.set_author(printable(office().name))
    pdf.add_page()
    _frame(pdf)
    _heading(pdf)
    _body(pdf, constancia, tz)
    _signatures(pdf, office().signatures)
    _footer(pdf, constancia)
    return bytes(pdf.output())
