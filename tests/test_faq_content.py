"""Tests of the FAQ content: structure, coverage and legal pitfalls."""

from __future__ import annotations

import datetime
import pathlib
import re
import shutil
import unicodedata

import pytest

from bot.faq import FaqContentError, FaqEntry, load_content
from bot.faq.content import FaqContent, default_content_dir

REQUIRED_PRINCIPLES = {
    # LGRA art. 7 and CPEUM arts. 109/134
    "legalidad": "principio_legalidad",
    "honradez": "principio_honradez",
    "lealtad": "principio_lealtad",
    "imparcialidad": "principio_imparcialidad",
    "eficiencia": "principio_eficiencia",
    "eficacia": "principio_eficacia",
    "integridad": "principio_integridad",
    "transparencia": "principio_transparencia",
    "rendicion de cuentas": "principio_rendicion_cuentas",
    "objetividad": "principio_objetividad",
    "profesionalismo": "principio_profesionalismo",
    "disciplina": "principio_disciplina",
    "economia": "principio_economia",
    # values taught by the office
    "responsabilidad": "valor_responsabilidad",
    "confidencialidad": "valor_confidencialidad",
    "equidad": "valor_equidad",
    "respeto": "valor_respeto",
    "actitud de servicio": "valor_actitud_servicio",
    "proactividad": "valor_proactividad",
    "respeto a los derechos humanos": "valor_respeto_ddhh",
}
NOT_IN_LGRA_ART7 = (
    "valor_responsabilidad",
    "valor_confidencialidad",
    "valor_actitud_servicio",
    "valor_proactividad",
    "principio_transparencia",
    "principio_economia",
)
ALLOWED_PHONE_NUMBERS = {"911", "089", "079", "800 108 4053", "800 911 2000"}
REQUIRED_TOPICS = {
    "principios",
    "derechos",
    "genero",
    "ley_ingrid",
    "feminicidio",
    "delitos",
    "adultos_mayores",
    "defensoria",
}
REQUIRED_ENTRIES = {
    "dignidad_humana",
    "igualdad_no_discriminacion",
    "equidad_genero",
    "igualdad_sustantiva",
    "ley_ingrid_que_es",
    "ley_ingrid_origen",
    "ley_ingrid_edomex",
    "ley_ingrid_cdmx",
    "ley_ingrid_federal",
    "ley_ingrid_penas",
    "ley_ingrid_que_no_hacer",
    "feminicidio_que_es",
    "feminicidio_razones_genero",
    "feminicidio_que_debo_hacer",
    "alerta_genero_toluca",
    "abuso_autoridad",
    "cohecho",
    "peculado",
    "uso_ilicito_atribuciones",
    "ejercicio_ilicito",
    "enriquecimiento_ilicito",
    "falta_vs_delito",
    "denunciar_corrupcion",
    "violencia_adultos_mayores",
    "abandono_adulto_mayor",
    "denunciar_maltrato_adulto_mayor",
    "ddhh_que_son",
    "defensoria_que_hace",
    "defensoria_contacto",
}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _shown_text(entry: FaqEntry) -> str:
    """What a servant can read of an entry: its question, answer, detail and source."""
    return "\n".join([entry.question, entry.answer, entry.detail or "", entry.source])


def _full_text(entry: FaqEntry) -> str:
    return "\n".join(
        [entry.question, *entry.alternatives, entry.answer, entry.detail or "", entry.source]
    )


@pytest.fixture(scope="module")
def content() -> FaqContent:
    return load_content()


@pytest.fixture(scope="module")
def all_texts(content: FaqContent) -> list[tuple[str, str]]:
    texts = [(e.id, _full_text(e)) for e in content.entries]
    t = content.texts
    texts += [
        ("texts.crisis", t.crisis),
        ("texts.greeting", t.greeting),
        ("texts.thanks", t.thanks),
        ("texts.unknown", t.unknown),
        ("texts.suggest", t.suggest),
    ]
    return texts


# -------------------------------------------------------------------- structure


def test_every_entry_is_complete(content: FaqContent) -> None:
    assert len(content.entries) >= 50
    ids = [e.id for e in content.entries]
    assert len(ids) == len(set(ids))
    by_id = {e.id: e for e in content.entries}
    topics = {t.id for t in content.topics}
    for entry in content.entries:
        assert entry.source.strip(), entry.id
        assert len(entry.answer) <= 900, entry.id
        assert entry.question.strip() and entry.answer.strip(), entry.id
        assert len(entry.alternatives) >= 2, entry.id
        assert entry.topic in topics, entry.id
        assert datetime.date(2026, 11, 22) <= entry.reviewed <= datetime.date(2026, 12, 1)
        assert len(entry.related) <= 3, f"{entry.id}: only three related questions are shown"
        if re.search(r"\b(?:LGRA|CPF|CNPP|CPEUM|Ley|Código|Constitución)\b", entry.source):
            assert re.search(r"\barts?\.", entry.source), f"{entry.id}: a law without article"
        assert re.fullmatch(r"[a-z0-9_]{1,40}", entry.id), entry.id
        for rel in entry.related:
            assert rel in by_id, f"{entry.id} -> {rel}"


def test_required_topics_and_entries(content: FaqContent) -> None:
    assert {t.id for t in content.topics} >= REQUIRED_TOPICS
    ids = {e.id for e in content.entries}
    assert ids >= REQUIRED_ENTRIES, REQUIRED_ENTRIES - ids


@pytest.mark.parametrize(("name", "entry_id"), sorted(REQUIRED_PRINCIPLES.items()))
def test_every_principle_has_an_entry(content: FaqContent, name: str, entry_id: str) -> None:
    entry = next((e for e in content.entries if e.id == entry_id), None)
    assert entry is not None, f"missing entry for {name}"
    assert entry.topic == "principios"
    assert name in _plain(entry.question + " " + " ".join(entry.alternatives))
    assert entry_id in next(t for t in content.topics if t.id == "principios").entry_ids


def test_html_is_limited_to_b_and_i(all_texts: list[tuple[str, str]]) -> None:
    for where, text in all_texts:
        assert not re.search(r"<(?!/?(?:b|i)>)", text), where


# -------------------------------------------------------------------- pitfalls


def test_293_quater_only_for_cdmx(content: FaqContent) -> None:
    for entry in content.entries:
        text = "\n".join([entry.answer, entry.detail or "", entry.source])
        if "293 Qu" in text:
            plain = _plain(text)
            assert "solo" in plain and ("ciudad de mexico" in plain or "cdmx" in plain), entry.id
            assert not re.search(
                r"293 qu\w+[^.]{0,80}(aplica|vigente) en (toluca|el estado)", plain
            ), entry.id


def test_227_bis_is_never_cited_as_in_force(content: FaqContent) -> None:
    for entry in content.entries:
        text = _plain(_full_text(entry))
        if "227 bis" in text:
            assert "invalid" in text, entry.id
            assert not re.search(
                r"227 bis[^.]{0,60}(esta vigente|sigue vigente|en vigor)", text
            ), entry.id


def test_federal_ley_ingrid_is_not_presented_as_in_force(content: FaqContent) -> None:
    entry = next(e for e in content.entries if e.id == "ley_ingrid_federal")
    assert "no hay una ley ingrid federal vigente" in _plain(entry.answer)


def test_no_cdmx_only_or_unconfirmed_phone_numbers(all_texts: list[tuple[str, str]]) -> None:
    for where, text in all_texts:
        assert not re.search(r"\b55[\s-]?\d{4}[\s-]?\d{4}\b", text), where
        assert "*765" not in text and "5658" not in text and "5533" not in text, where
        for number in re.findall(r"\b800[\s-]?\d{3}[\s-]?\d{4}\b", text):
            assert re.sub(r"[\s-]", " ", number) in ALLOWED_PHONE_NUMBERS, (where, number)
        for number in re.findall(r"(?<![\d,.])0\d\d(?![\d,.])", text):
            assert number in ALLOWED_PHONE_NUMBERS, (where, number)


def test_crisis_text_has_all_help_lines(content: FaqContent) -> None:
    for number in ALLOWED_PHONE_NUMBERS:
        assert number in content.texts.crisis, number
    assert "opción 1" in content.texts.crisis


def test_fines_are_not_in_pesos(all_texts: list[tuple[str, str]]) -> None:
    for where, text in all_texts:
        assert "$" not in text, where
        assert not re.search(r"multa[^.]{0,60}pesos", _plain(text)), where


def test_values_not_sold_as_lgra_principles(content: FaqContent) -> None:
    by_id = {e.id: e for e in content.entries}
    for entry_id in NOT_IN_LGRA_ART7:
        plain = _plain(by_id[entry_id].answer)
        assert re.search(r"no(</b>)? (esta|aparece|es un principio)", plain), entry_id
    lgra = _plain(by_id["principios_servicio_publico"].answer)
    for word in ("responsabilidad", "confidencialidad", "proactividad", "actitud de servicio"):
        assert word not in lgra.split("<b>disciplina")[1].split("</b>")[0]


def test_older_adults_start_at_60_and_abandonment_is_violence(content: FaqContent) -> None:
    by_id = {e.id: e for e in content.entries}
    assert "60 años" in by_id["adulto_mayor_quien_es"].answer
    assert "abandono" in _plain(by_id["violencia_adultos_mayores"].answer)
    assert _plain(by_id["abandono_adulto_mayor"].answer).startswith("<b>si")
    for entry in content.entries:
        # The alternatives are never shown: they are servants' own words, rumours included
        # ("dicen que es hasta los 65 años, ¿es cierto?").
        assert "65 años" not in _shown_text(entry), entry.id


def test_feminicide_federal_penalty_not_misquoted(content: FaqContent) -> None:
    for entry in content.entries:
        assert not re.search(r"45 a 65", _full_text(entry)), entry.id


def test_toluca_is_in_both_gender_alerts(content: FaqContent) -> None:
    entry = next(e for e in content.entries if e.id == "alerta_genero_toluca")
    assert "31 de julio de 2015" in entry.answer and "Toluca" in entry.answer


# ------------------------------------------------------------ office contact


def test_office_contact_reads_well_when_empty(content: FaqContent) -> None:
    contact = content.texts.office_contact
    assert "Defensoría Municipal" in contact
    assert not re.search(r":\s*$", contact, re.MULTILINE)
    entry = next(e for e in content.entries if e.id == "defensoria_contacto")
    assert "{contacto}" not in entry.answer and contact in entry.answer


def _copy_content(tmp_path: pathlib.Path) -> pathlib.Path:
    target = tmp_path / "faq"
    shutil.copytree(default_content_dir(), target)
    return target


def test_office_contact_shows_filled_fields(tmp_path: pathlib.Path) -> None:
    directory = _copy_content(tmp_path)
    office = directory / "office.toml"
    office.write_text(
        office.read_text(encoding="utf-8").replace('telefono = ""', 'telefono = "722 000 0000"'),
        encoding="utf-8",
    )
    contact = load_content(directory).texts.office_contact
    assert "722 000 0000" in contact
    assert "Correo" not in contact


# ----------------------------------------------------------------- validation


def _break(tmp_path: pathlib.Path, old: str, new: str, file: str = "cohecho") -> pathlib.Path:
    directory = _copy_content(tmp_path)
    path = directory / "delitos.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "peculado"', 'id = "cohecho"', "duplicates"),
        ('related = ["regalos_propinas"', 'related = ["no_existe"', "unknown related id"),
        (
            'source = "LGRA arts. 52 y 66 (ley general, aplica en todo el país); Código Penal'
            " Federal art. 222 (federal); Código Penal del Estado de México (estatal; delito"
            ' equivalente, numeración por confirmar)."',
            'source = ""',
            "'source'",
        ),
        ('answer = """<b>Cohecho</b>', 'answer = """' + "x" * 901, "max 900"),
        ('topic = "delitos"', 'topic = "otro"', "not declared"),
        ('answer = """<b>Cohecho</b>', 'answer = """<u>Cohecho</u>', "only <b> and <i>"),
    ],
)
def test_invalid_content_is_rejected_clearly(
    tmp_path: pathlib.Path, old: str, new: str, message: str
) -> None:
    directory = _break(tmp_path, old, new)
    with pytest.raises(FaqContentError) as info:
        load_content(directory)
    text = str(info.value)
    assert message in text
    assert "delitos.toml" in text
