"""The FAQ's sentence encoder: its cache, its fallback, long messages, crisis lines."""

from __future__ import annotations

import hashlib
import logging
import pathlib
from collections.abc import Sequence

import numpy as np
import pytest

from bot.faq import Decision, FaqEngine
from bot.faq import encoder as encoder_module
from bot.faq.crisis import Line
from bot.faq.encoder import Vectors, load_encoder
from bot.faq.evaluation import shown_entry_id
from bot.faq.vector_cache import Fitted, Negatives, cached_fit, cached_log_odds, cached_vectors
from tests.conftest import FAQ_CACHE_DIR


class CountingEncoder:
    """A deterministic stand-in: a vector from each text's hash, counting what it encodes."""

    model_id = "counting-1"

    def __init__(self) -> None:
        self.encoded: list[str] = []
        self.fail = False

    def encode(self, texts: Sequence[str]) -> Vectors:
        if self.fail:
            raise RuntimeError("native engine crashed")
        self.encoded += texts
        rows = [
            np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8).astype(np.float32)
            for t in texts
        ]
        matrix = np.stack(rows) - 127.5
        return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def engine() -> FaqEngine:
    encoder = load_encoder("use")
    assert encoder is not None
    return FaqEngine.from_directory(encoder=encoder, cache_dir=FAQ_CACHE_DIR)


# ----------------------------------------------------------------------- cache


def test_vectors_are_cached_and_reused(tmp_path: pathlib.Path) -> None:
    encoder = CountingEncoder()
    first = cached_vectors(encoder, ["uno", "dos"], tmp_path)
    second = cached_vectors(encoder, ["uno", "dos"], tmp_path)
    assert encoder.encoded == ["uno", "dos"]
    assert np.array_equal(first, second)


def test_changed_content_rebuilds_the_cache(tmp_path: pathlib.Path) -> None:
    encoder = CountingEncoder()
    cached_vectors(encoder, ["uno", "dos"], tmp_path)
    vectors = cached_vectors(encoder, ["uno", "tres"], tmp_path)
    assert encoder.encoded == ["uno", "dos", "uno", "tres"]
    assert np.array_equal(vectors, encoder.encode(["uno", "tres"]))


@pytest.mark.parametrize("garbage", [b"", b"not a numpy file", b"PK\x03\x04broken zip"])
def test_a_corrupt_cache_is_rebuilt_never_trusted(
    tmp_path: pathlib.Path, garbage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = CountingEncoder()
    expected = cached_vectors(encoder, ["uno"], tmp_path)
    (cache_file,) = tmp_path.glob("*.npz")
    cache_file.write_bytes(garbage)
    with caplog.at_level(logging.WARNING):
        again = cached_vectors(encoder, ["uno"], tmp_path)
    assert np.array_equal(again, expected)
    assert encoder.encoded == ["uno", "uno"]
    assert cached_vectors(encoder, ["uno"], tmp_path) is not None
    assert encoder.encoded == ["uno", "uno"], "the rebuilt file is valid again"


def test_a_cache_of_another_model_is_not_used(tmp_path: pathlib.Path) -> None:
    first, second = CountingEncoder(), CountingEncoder()
    second.model_id = "counting-2"
    cached_vectors(first, ["uno"], tmp_path)
    cached_vectors(second, ["uno"], tmp_path)
    assert second.encoded == ["uno"]


class CountingFit:
    """A stand-in for the crisis classifier's fit: the mean difference, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, positives: Vectors, negatives: Negatives) -> Fitted:
        self.calls += 1
        return (positives.mean(axis=0) - np.vstack(negatives).mean(axis=0)).astype(np.float64), 0.5


def test_a_fitted_model_is_cached_and_refitted_when_its_vectors_change(
    tmp_path: pathlib.Path,
) -> None:
    encoder, fit = CountingEncoder(), CountingFit()
    positives, negatives = encoder.encode(["uno", "dos"]), encoder.encode(["tres"])
    first = cached_fit(positives, (negatives,), fit, "v1", tmp_path, "crisis")
    second = cached_fit(positives, (negatives,), fit, "v1", tmp_path, "crisis")
    assert fit.calls == 1
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    cached_fit(positives, (encoder.encode(["cuatro"]),), fit, "v1", tmp_path, "crisis")
    assert fit.calls == 2, "other vectors: fitted again"
    cached_fit(positives, (encoder.encode(["cuatro"]),), fit, "v2", tmp_path, "crisis")
    assert fit.calls == 3, "other parameters: fitted again"


def test_a_corrupt_model_file_is_refitted(tmp_path: pathlib.Path) -> None:
    encoder, fit = CountingEncoder(), CountingFit()
    positives, negatives = encoder.encode(["uno"]), encoder.encode(["dos"])
    expected = cached_fit(positives, (negatives,), fit, "v1", tmp_path, "crisis")
    (tmp_path / "crisis-model.npz").write_bytes(b"PK\x03\x04broken zip")
    again = cached_fit(positives, (negatives,), fit, "v1", tmp_path, "crisis")
    assert fit.calls == 2
    assert np.array_equal(again[0], expected[0])


def test_the_word_model_is_cached_and_refitted_when_its_texts_change_or_break(
    tmp_path: pathlib.Path,
) -> None:
    calls: list[int] = []

    def fit(positives: Sequence[str], negatives: Sequence[str]) -> dict[str, float]:
        calls.append(1)
        return {"ayud": 2.5, "me pegan": 4.0, "plat": -3.0}

    first = cached_log_odds(["me pegan"], ["la plática"], fit, "v1", tmp_path, "words")
    assert cached_log_odds(["me pegan"], ["la plática"], fit, "v1", tmp_path, "words") == first
    assert len(calls) == 1
    cached_log_odds(["me pegan", "ayuda"], ["la plática"], fit, "v1", tmp_path, "words")
    assert len(calls) == 2, "other texts: fitted again"
    (tmp_path / "words-table.npz").write_bytes(b"PK\x03\x04broken zip")
    again = cached_log_odds(["me pegan", "ayuda"], ["la plática"], fit, "v1", tmp_path, "words")
    assert len(calls) == 3 and again == first


def test_engine_starts_from_its_cache_without_encoding(tmp_path: pathlib.Path) -> None:
    FaqEngine.from_directory(encoder=CountingEncoder(), cache_dir=tmp_path)
    encoder = CountingEncoder()
    FaqEngine.from_directory(encoder=encoder, cache_dir=tmp_path)
    assert encoder.encoded == []


# -------------------------------------------------------------------- fallback


def test_an_encoder_that_cannot_load_leaves_the_lexical_engine_answering(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise OSError("libgomp.so.1: cannot open shared object file")

    monkeypatch.setattr(encoder_module, "UseEncoder", broken)
    with caplog.at_level(logging.WARNING):
        encoder = load_encoder.__wrapped__("use")
    assert encoder is None
    assert "lexical engine only" in caplog.text
    engine = FaqEngine.from_directory(encoder=encoder)
    assert not engine.semantic
    result = engine.ask("¿qué es el cohecho?")
    assert result.decision is Decision.ANSWER
    assert result.entry is not None and result.entry.id == "cohecho"


def test_an_encoder_failing_on_a_message_still_answers_and_catches_crisis() -> None:
    encoder = CountingEncoder()
    engine = FaqEngine.from_directory(encoder=encoder)
    encoder.fail = True
    assert engine.ask("¿qué es el cohecho?").entry is not None
    assert engine.ask("me están golpeando").decision is Decision.CRISIS


# ------------------------------------------------------------ servants' words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "oiga hoy un señor dejó un billete de doscientos en el mostrador y se fue "
            "corriendo, ¿qué hago con ese dinero?",
            "situacion_dinero_mostrador",
        ),
        (
            "mi jefe me pidió que firmara un oficio con fecha de la semana pasada",
            "situacion_jefe_irregular",
        ),
        (
            "en el grupo de whatsapp de la oficina pasaron la foto de la muchacha que mataron",
            "ley_ingrid_si_circulan",
        ),
    ],
)
def test_situations_told_in_own_words_are_shown_first(
    engine: FaqEngine, text: str, expected: str
) -> None:
    assert shown_entry_id(engine.ask(text)) == expected


def test_a_long_message_about_two_things_answers_one_and_offers_the_other(
    engine: FaqEngine,
) -> None:
    result = engine.ask(
        "Buenos días, les escribo porque en mi área hay mucho movimiento por las elecciones. "
        "Mi coordinador nos pidió ir a un mitin del partido en horario de trabajo y llevarnos "
        "la camioneta del ayuntamiento. Otra cosa que quería preguntar: ¿quién tiene que "
        "presentar la declaración patrimonial y cuándo?"
    )
    assert result.decision is Decision.ANSWER
    shown = {result.entry.id if result.entry else None, *(e.id for e in result.also)}
    assert {"situacion_proselitismo", "declaracion_patrimonial"} <= shown


# --------------------------------------------------------------------- crisis


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("ya les dejé una carta a mis hijos, no creo llegar al viernes", Line.LIFE),
        (
            "¿la declaración patrimonial se presenta en mayo? ya da igual, estoy pensando en "
            "tomarme todas las pastillas",
            Line.LIFE,
        ),
        ("mi esposo está rompiendo todo y encerré a los niños en el cuarto", Line.WOMEN),
        ("una muchacha en la ventanilla dice que un señor la viene siguiendo", Line.WOMEN),
        ("hay un hombre con un cuchillo en la ventanilla, nos escondimos", Line.GENERAL),
        ("un niño como de tres años anda solo en la explanada y ya es de noche", Line.GENERAL),
        ("dijo que va a regresar a quemar la oficina", Line.GENERAL),
    ],
)
def test_danger_gets_the_line_that_fits(engine: FaqEngine, text: str, line: Line) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.CRISIS
    assert result.line == line
    reply = engine.crisis_text(result.line)
    assert reply.index("911") < 80
    if line is Line.LIFE:
        assert "800 911 2000" in reply
    if line is Line.WOMEN:
        assert "800 108 4053" in reply


def test_a_crisis_said_in_passing_still_gets_the_answer_to_the_rest(engine: FaqEngine) -> None:
    result = engine.ask(
        "¿quién tiene que presentar la declaración patrimonial? la verdad ya no le veo sentido "
        "a nada, ya regalé mis cosas"
    )
    assert result.decision is Decision.CRISIS
    assert result.line == Line.LIFE
    assert result.entry is not None and result.entry.id == "declaracion_patrimonial"
