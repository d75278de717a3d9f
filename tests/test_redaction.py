"""Personal data never survives `redact`: e-mails, phones, CURP, RFC, long numbers, NUL."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.faq_log import clean_question
from bot.services.redaction import redact

WORDS = st.text(alphabet=string.ascii_lowercase + "ñáéíóú ¿?,", max_size=40)
UPPER = string.ascii_uppercase
LETTER = st.sampled_from(UPPER)
DIGIT = st.sampled_from(string.digits)


def around(value: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str, str]]:
    return st.tuples(WORDS, value, WORDS)


def joined(parts: tuple[str, str, str]) -> str:
    before, value, after = parts
    return f"{before} {value} {after}"


local_parts = st.from_regex(r"[a-z0-9][a-z0-9._+\-]{0,20}[a-z0-9]", fullmatch=True)
domains = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z]{2,6}){1,3}", fullmatch=True)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)


@st.composite
def phones(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet=string.digits, min_size=10, max_size=10))
    separator = draw(st.sampled_from(["", " ", "-", ".", " - "]))
    area, first, last = digits[:3], digits[3:6], digits[6:]
    if draw(st.booleans()):
        area = f"({area})"
    prefix = draw(st.sampled_from(["", "+52 ", "+52", "52 1 ", "044 "]))
    return f"{prefix}{area}{separator}{first}{separator}{last}"


curps = st.builds(
    lambda a, b, sex, c, d, e: f"{a}{b}{sex}{c}{d}{e}",
    st.text(alphabet=UPPER, min_size=4, max_size=4),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.sampled_from("HMX"),
    st.text(alphabet=UPPER, min_size=5, max_size=5),
    st.sampled_from(UPPER + string.digits),
    DIGIT,
)
rfcs = st.builds(
    lambda a, b, c: f"{a}{b}{c}",
    st.text(alphabet=UPPER, min_size=3, max_size=4),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=UPPER + string.digits, min_size=0, max_size=3).filter(
        lambda tail: len(tail) in (0, 3)
    ),
)
case = st.sampled_from([str.upper, str.lower, str.title])


@settings(max_examples=300)
@given(around(emails))
def test_emails_are_removed(parts):
    text = redact(joined(parts))
    assert "@" not in text and parts[1].split("@")[1] not in text
    assert "«correo»" in text


@settings(max_examples=300)
@given(around(phones()))
def test_phones_are_removed(parts):
    text = redact(joined(parts))
    assert not re.search(r"\d", text), text
    assert "«teléfono»" in text


@settings(max_examples=300)
@given(around(curps), case)
def test_curps_are_removed(parts, change_case):
    text = redact(joined((parts[0], change_case(parts[1]), parts[2])))
    assert not re.search(r"\d", text) and "«CURP»" in text


@settings(max_examples=300)
@given(around(rfcs), case)
def test_rfcs_are_removed(parts, change_case):
    text = redact(joined((parts[0], change_case(parts[1]), parts[2])))
    assert not re.search(r"\d", text) and "«RFC»" in text


@settings(max_examples=300)
@given(
    st.text(alphabet=string.ascii_letters + " .-", max_size=10),
    st.from_regex(r"\d{6,25}", fullmatch=True),
)
def test_long_numbers_are_removed_even_glued_to_words(prefix, number):
    assert not re.search(r"\d", redact(f"{prefix}{number}"))


@settings(max_examples=500)
@given(st.text())
def test_any_text_loses_nul_long_digit_runs_and_is_stable(text):
    cleaned = redact(text)
    assert "\x00" not in cleaned
    assert not re.search(r"\d{6}", cleaned)
    assert redact(cleaned) == cleaned
    stored = clean_question(text)
    if stored is not None:
        sample, key = stored
        assert "\x00" not in sample and "\x00" not in key and len(sample) <= 500


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (
            "mi correo es Ana.Lopez+dh@toluca.gob.mx, ¿sí llega?",
            "mi correo es «correo», ¿sí llega?",
        ),
        ("escríbeme a ana arroba gmail punto com", "escríbeme a «correo»"),
        ("mi cel 722 123 4567", "mi cel «teléfono»"),
        ("tel: (722) 214-0000 ext 12", "tel: «teléfono» ext 12"),
        ("+52 1 55 1234 5678 es mi whats", "«teléfono» es mi whats"),
        ("CURP lopa850101mmcpnn09 para la constancia", "CURP «CURP» para la constancia"),
        ("RFC LOPA850101AB1", "RFC «RFC»"),
        ("rfc sin homoclave: LOPA850101", "rfc sin homoclave: «RFC»"),
        ("clave de elector LPPRAN85010115M300", "clave de elector «clave de elector»"),
        ("mi número de empleado es 0045821", "mi número de empleado es «número»"),
        ("folio TLC-2026-4471123", "folio TLC-«teléfono»"),
        ("expediente 44711230", "expediente «teléfono»"),
        ("oficio 4471123", "oficio «número»"),
        ("soy @ana_lopez en telegram", "soy «usuario» en telegram"),
        ("hola\x00 ¿qué tal?", "hola ¿qué tal?"),
    ],
)
def test_personal_data_becomes_placeholders(typed, stored):
    assert redact(typed) == stored


@pytest.mark.parametrize(
    "question",
    [
        "¿Qué dice el artículo 7 de la LGRA?",
        "¿El 227 Bis sigue vigente desde 2023?",
        "¿qué pasó con la reforma de 2021 y la de 2023?",
        "cuánto es la multa, ¿$5,000?",
        "mi jefe me pidió firmar 3 oficios",
        "¿la plática del 12/03 a las 10:30 da constancia?",
    ],
)
def test_ordinary_questions_are_kept_as_typed(question):
    assert redact(question) == question


def test_the_grouping_key_is_the_engine_normalisation_of_the_redacted_text():
    first = clean_question("¿Mi correo ana@x.mx sirve para la CONSTANCIA?")
    second = clean_question("mi correo luis@y.com sirve para la constancia")
    assert first is not None and second is not None
    assert first[1] == second[1] == "mi correo correo sirve para la constancia"
