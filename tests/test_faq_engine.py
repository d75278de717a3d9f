"""Tests of the FAQ engine: accuracy on the labelled set, decisions, robustness."""

from __future__ import annotations

import pathlib
from dataclasses import replace

import pytest

from bot.faq import Decision, FaqEngine, crisis, normalize
from bot.faq.crisis import Line, line_for_named, line_for_vote
from bot.faq.encoder import load_encoder
from bot.faq.engine import GATE_FEATURES
from bot.faq.evaluation import Case, evaluate, load_cases, shown_entry_id
from tests.conftest import FAQ_CACHE_DIR

DATA_DIR = pathlib.Path(__file__).parent / "faq_data"
DEV_FILES = (
    DATA_DIR / "servants_dev.toml",
    DATA_DIR / "dev.toml",
    DATA_DIR / "crisis_dev.toml",
    DATA_DIR / "twentyfirst_dev.toml",
    DATA_DIR / "twentythird_dev.toml",
    DATA_DIR / "twentyseventh_dev.toml",
    DATA_DIR / "twentyeighth_dev.toml",
    DATA_DIR / "twentyninth_dev.toml",
    DATA_DIR / "thirtieth_dev.toml",
    DATA_DIR / "thirtysecond_dev.toml",
    DATA_DIR / "thirtysixth_dev.toml",
    DATA_DIR / "thirtyseventh_dev.toml",
    DATA_DIR / "thirtyninth_dev.toml",
    DATA_DIR / "fortieth_dev.toml",
)
HOLDOUT_FILES = (
    DATA_DIR / "servants_holdout.toml",
    DATA_DIR / "holdout.toml",
    DATA_DIR / "crisis_holdout.toml",
)
FRESH_FILES = (DATA_DIR / "fresh_holdout.toml",)
FIFTH_FILES = (DATA_DIR / "fifth_holdout.toml",)
LATE_FILES = (
    DATA_DIR / "eighth_holdout.toml",
    DATA_DIR / "ninth_holdout.toml",
    DATA_DIR / "eleventh_holdout.toml",
    DATA_DIR / "thirteenth_holdout.toml",
    DATA_DIR / "eighteenth_holdout.toml",
    DATA_DIR / "twentieth_holdout.toml",
    DATA_DIR / "twentysecond_holdout.toml",
    DATA_DIR / "twentyfourth_holdout.toml",
    DATA_DIR / "thirtieth_holdout.toml",
    DATA_DIR / "thirtyfirst_holdout.toml",
    DATA_DIR / "thirtythird_holdout.toml",
    DATA_DIR / "thirtyfourth_holdout.toml",
    DATA_DIR / "thirtyfifth_holdout.toml",
    DATA_DIR / "thirtyeighth_holdout.toml",
)
"""A third writer's set, added after all tuning: held aside like the second."""
SIBLING_FILES = (DATA_DIR / "fourteenth_holdout.toml", DATA_DIR / "sixteenth_holdout.toml")
"""Half of a fourteenth and of a sixteenth writer's questions, held aside while the other half
joined the content (README)."""


@pytest.fixture(scope="module")
def engine() -> FaqEngine:
    """The engine as the bot runs it: lexical + the default sentence encoder."""
    encoder = load_encoder("use")
    assert encoder is not None
    return FaqEngine.from_directory(encoder=encoder, cache_dir=FAQ_CACHE_DIR)


@pytest.fixture(scope="module")
def lexical() -> FaqEngine:
    return FaqEngine.from_directory()


@pytest.fixture(scope="module")
def dev() -> list[Case]:
    return load_cases(DEV_FILES)


@pytest.fixture(scope="module")
def parts() -> dict[str, list[Case]]:
    return {
        "dev": load_cases(DEV_FILES),
        "holdout": load_cases(HOLDOUT_FILES),
        "fresh": load_cases(FRESH_FILES),
        "fifth": load_cases(FIFTH_FILES),
        "late": load_cases(LATE_FILES),
        "siblings": load_cases(SIBLING_FILES),
    }


# ------------------------------------------------------------------ labelled set


def test_labelled_sets_are_big_enough(engine: FaqEngine, parts: dict[str, list[Case]]) -> None:
    holdout = parts["holdout"] + parts["fresh"] + parts["fifth"] + parts["late"]
    holdout += parts["siblings"]
    cases = parts["dev"] + holdout
    entries = [c for c in cases if c.kind == "entry"]
    assert len(entries) >= 400
    styled = [c for c in entries if c.style]  # the servants' sets; the first sets had no style
    assert len(styled) >= 400
    assert sum(c.style in {"long", "situational"} for c in styled) >= 0.4 * len(styled)
    assert sum(c.kind == "offtopic" for c in cases) >= 60
    assert sum(c.kind == "crisis" for c in cases) >= 100
    for kind in ("entry", "offtopic", "crisis"):
        aside = sum(c.kind == kind for c in holdout)
        assert aside >= 0.3 * sum(c.kind == kind for c in cases), kind
    unknown = {i for c in cases for i in c.right if engine.entry(i) is None}
    assert not unknown, f"labelled ids missing from content: {unknown}"


def test_a_second_right_answer_written_as_a_string_is_refused(tmp_path: pathlib.Path) -> None:
    """A writer once gave `acceptable = "cohecho"`: read as letters, that right answer was
    silently lost; the loader now refuses it."""
    path = tmp_path / "cases.toml"
    path.write_text(
        '[[case]]\nsplit = "dev"\nkind = "entry"\ntext = "¿qué es el peculado?"\n'
        'expected = "peculado"\nacceptable = "cohecho"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="acceptable"):
        load_cases([path])


# Floors a little under the figures measured by benchmarks/faq.py (README, "Preguntas").
FLOORS = {
    "dev": {"answer": 0.855, "one_tap": 0.975, "wrong": 0.012, "offtopic": 0.01, "false": 0.07},
    "holdout": {"answer": 0.84, "one_tap": 0.95, "wrong": 0.025, "offtopic": 0.04, "false": 0.07},
    "fresh": {"answer": 0.95, "one_tap": 0.99, "wrong": 0.015, "offtopic": 0.06, "false": 0.05},
    "fifth": {"answer": 0.97, "one_tap": 0.98, "wrong": 0.02, "offtopic": 0.04, "false": 0.05},
    "late": {"answer": 0.895, "one_tap": 0.985, "wrong": 0.012, "offtopic": 0.02, "false": 0.075},
    "siblings": {
        "answer": 0.96,
        "one_tap": 0.99,
        "wrong": 0.015,
        "offtopic": 0.05,
        "false": 0.07,
    },
}
PARTS = ["dev", "holdout", "fresh", "fifth", "late", "siblings"]
"""The late part: the eighth writer's questions (their crisis messages joined the crisis
examples once measured), the ninth writer's situational questions, the eleventh writer's
crisis and calm messages, the thirteenth writer's short and situational questions (two per
entry) and the eighteenth writer's legal questions no entry answers and questions about two
entries, the twentieth writer's week of messages and the twenty-second writer's long and
situational questions and the twenty-fourth writer's police, registry and window staff, the
thirtieth writer's questions, the thirty-first's, thirty-third's, thirty-fourth's,
thirty-fifth's and thirty-eighth's whole sets, each written after the tuning that came before
it (README)."""
CALM_CEILINGS = {
    "dev": 0.32,
    "holdout": 0.32,
    "fresh": 0.32,
    "fifth": 0.4,
    "late": 0.5,
    "siblings": 0.25,
}
"""Calm look-alikes taken for a crisis: recall first, so this stays high (README)."""
CRISIS_FLOORS = {
    "dev": (0.99, 0.98, 0.93),
    "holdout": (0.99, 0.96, 0.75),
    "fresh": (0.985, 0.96, 0.85),
    "fifth": (0.98, 0.92, 0.75),
    "late": (0.99, 0.98, 0.8),
    "siblings": (1.0, 1.0, 1.0),
}
"""Crisis recall (hybrid, lexical alone) and share of suicidal messages given the Línea de
la Vida's own reply. The goal is 1.00 for both: see the README for the gap. A message the
classifier reads as suicidal only in part (a vote from 0.5 to 0.8) gets the general reply,
which lists the Línea de la Vida too: that vote misfires on other danger told in distress
(README)."""


@pytest.mark.parametrize("part", PARTS)
def test_figures_on_servants_phrasings(
    engine: FaqEngine, parts: dict[str, list[Case]], part: str
) -> None:
    report = evaluate(engine, parts[part])
    floor = FLOORS[part]
    # The held-aside parts' misses are never printed: reading them would be tuning on them.
    shown = "\n".join(report.failures) if part == "dev" else f"{len(report.failures)} misses"
    assert report.answer_rate >= floor["answer"], shown
    assert report.one_tap_rate >= floor["one_tap"], shown
    assert report.wrong_answer_rate <= floor["wrong"], shown
    assert report.offtopic_rate <= floor["offtopic"], shown
    assert report.false_crisis_rate <= floor["false"], shown
    assert report.calm_crisis_rate <= CALM_CEILINGS[part], shown


@pytest.mark.parametrize("part", PARTS)
def test_crisis_recall(
    engine: FaqEngine, lexical: FaqEngine, parts: dict[str, list[Case]], part: str
) -> None:
    cases = parts[part]
    hybrid_floor, lexical_floor, life_floor = CRISIS_FLOORS[part]
    for each, floor in ((engine, hybrid_floor), (lexical, lexical_floor)):
        report = evaluate(each, cases)
        shown = "\n".join(report.failures) if part == "dev" else f"{len(report.failures)} misses"
        assert report.crisis_recall >= floor, shown
    hybrid = evaluate(engine, cases)
    assert hybrid.suicide_life_line >= life_floor * report.suicide
    # Violence, a missing child or a fire answered with the Línea de la Vida's reply alone
    # would leave out the lines that fit.
    assert hybrid.other_life_only <= 0.08 * hybrid.other_crisis


# -------------------------------------------------------------------- decisions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿puedo pasarle a mi familia la foto de un expediente?", "ley_ingrid_que_no_hacer"),
        ("q es la ley ingrid", "ley_ingrid_que_es"),
        ("¿el abandono de un adulto mayor es violencia?", "abandono_adulto_mayor"),
        ("QUÉ ES EL COHECHO???", "cohecho"),
        ("legalidad", "principio_legalidad"),
    ],
)
def test_issue_examples_are_answered(engine: FaqEngine, text: str, expected: str) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.ANSWER
    assert result.entry is not None and result.entry.id == expected
    assert result.suggestions == ()
    assert 0.0 <= result.score <= 1.0


def test_a_crook_is_not_a_trans_person(lexical: FaqEngine) -> None:
    """ "Transa" (a crook) stemmed like "trans": a question about reporting corruption got
    the entry about trans people's IDs."""
    result = lexical.ask("mi jefe es un transa, ¿dónde lo denuncio?")
    assert result.entry is not None and result.entry.id == "denunciar_corrupcion"


@pytest.mark.parametrize(
    "text",
    [
        "me están golpeando",
        "mi jefe me acosa y tengo miedo",
        "están maltratando a una señora mayor",
        "mi esposo me quiere matar",
        "me quiero morir",
        "AUXILIO!!! me estan pegando",
        "ya no quiero vivir",
        "mi pareja me pegó anoche",
        "mi vecina no quiere volver a su casa, su ex la va a estar esperando",
        "en la visita encontramos al niño amarrado de las manos a una silla",
        "un señor tiene acorralada a la cajera contra la pared",
        "el jefe metió a la becaria a su oficina, le echó seguro y bajó las persianas",
        "huele muchísimo a gas en el archivo y alguien quiere prender un cerillo",
        "dejaron unas botellas con trapos en la entrada del palacio",
        "mi abuelo tiene alzheimer y se salió de la casa desde la tarde",
        "un niño se cayó a la cisterna del mercado",
        "el señor de la fila dijo que me va a partir la cara cuando salga",
    ],
)
def test_crisis_is_detected_first(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.CRISIS
    assert result.suggestions == ()


@pytest.mark.parametrize(
    "text",
    [
        "mi compañero se subió a la azotea y dice que se va a aventar",
        "un señor en la ventanilla dijo que al salir se va a tirar a las vías",
        "mi hija me escribió que la perdone, ya no contesta",
        "ya me cansé de ser una carga. oye, ¿cuándo pagan el aguinaldo?",
        "perdón por no terminar el informe, hoy me voy de este mundo",
        "mi papá dijo que se daba un tiro si lo corrían, y hoy lo corrieron",
        "mi esposo se encerró en el baño con una cuerda y no me abre",
        "ya estoy cansada de vivir así, ¿me pueden dar de baja de las pláticas?",
        "el compañero dejó su pistola en el escritorio con una nota y no contesta",
        "mi primo se llevó la pistola de su papá y nos dejó una carta",
        "un muchacho está sentado en la orilla del puente y no quiere hablar",
        "ya regalé mis gatos, solo quería saber cuándo pagan la quincena",
        "creo que mi compañero se va a hacer algo, no deja de despedirse",
        "ojalá ya no despertar mañana",
        "me tomé un frasco de pastillas hace rato",
        "mi hijo se encerró en su cuarto con la navaja y dice que no vale nada",
        "el compañero de guardia tiene la pistola en la boca dentro de la patrulla",
        "después de la quincena ya no me van a volver a ver, cuiden a mis hijos",
        "me quise aventar del segundo piso del palacio",
        "una señora está del otro lado del barandal del puente de Alfredo del Mazo",
        "me corté las venas en el baño del palacio y no deja de salir sangre",
        "esta es la última vez que les escribo, gracias por todo",
        "ya no les voy a dar lata, díganle a mi hermana que la quiero",
        "¿qué pasa con mi aguinaldo si ya no regreso nunca? ya lo decidí",
        "estoy arriba del puente de Tollocan viendo para abajo",
        "¿cuántas pastillas de clonazepam son demasiadas? ya tengo juntadas varias",
        "no se apuren por mi turno del domingo, ya no van a tener que cubrirme",
        "sigo sentado en las vías del tren por Lerma",
        "traigo la pistola de cargo y la quiero usar conmigo",
        "ya tengo la soga lista, nomás quería despedirme",
        "ya no voy a ser una carga para nadie",
        "si muere un trabajador del ayuntamiento por decisión propia, ¿sí pagan el seguro de"
        " vida a los hijos?",
        "¿cómo se cancela el correo de alguien que ya no va a estar? quiero dejar todo en orden",
        "¿en cuánto tiempo hace efecto el raticida? ya me lo tomé",
        "traigo el arma en la mano y ya no sé para qué sigo",
        "ya me corté otra vez y sigue saliendo sangre",
        "mandó al chat que ya no lo busquen y se encerró en la bodega",
        "díganle a mi esposa que la quiero, perdón por todo",
        "ya regalé mis gatos, nomás me falta despedirme de mi hermana",
        "si me quito la vida, ¿le dan la pensión a mi esposa? ya tomé la decisión",
        "¿quién entrega mi informe anual? ya no pienso estar aquí para diciembre",
        "me quiero matr, nadie me va a entender",
        "ya me tomé las pastillas, perdón",
        "me tomé lo de las ratas que había en la cocina",
        "junté las pastillas de mi papá y ya las conté, ¿me pagan el aguinaldo el viernes?",
        "¿el seguro cubre si no es enfermedad? ya compré la soga",
        "¿le avisan a mi familia si uno se va para siempre esta noche?",
        "si me muero mañana, ¿quién cobra mi último pago?",
        "¿cuánto paga el seguro si choco? quiero que se vea como accidente",
        "les di mis herramientas a los compañeros, ya no las voy a necesitar",
        "¿qué pasa con mis deudas si me muero? ya compré la cuerda",
        "¿el seguro de vida paga si alguien se quita la vida? es para esta semana",
        "ya tengo la carta escrita y todo listo, ¿quién cobra mi finiquito?",
        "dice que nadie lo va a extrañar y no se quiere bajar del puente",
        "ya no tengo para qué seguir, ¿a quién le dejo las llaves?",
        "metí la manguera del escape al coche y cerré las ventanas",
        "mi compañera se cortó los brazos y dice que en la noche va a ser peor",
    ],
)
def test_suicidal_intent_in_other_words_gets_the_life_line(lexical: FaqEngine, text: str) -> None:
    result = lexical.ask(text)
    assert result.decision is Decision.CRISIS
    assert result.line is Line.LIFE


@pytest.mark.parametrize(
    "text",
    [
        "perdone la molestia, llamo a la oficina de catastro y no contesta nadie",
        "el alcalde se va a aventar un discurso de dos horas",
        "voy a saltar la cuerda con mis hijos",
        "ya tengo amarrado el contrato con el proveedor",
        "le regalé a mi jefa una planta por su cumpleaños",
        "¿se va a hacer algo al respecto con la fila de la ventanilla?",
        "no solo los golpes cuentan como maltrato a los niños, ¿verdad?",
        "solo quiero saber si mi hijo puede entrar a la plática",
        "mi jefe quiere hacer algo bonito para el día del niño",
        "el archivo está con la cuerda de los expedientes",
        # Sayings, topics and events already settled.
        "voy a colgar el cartel de la plática en el pasillo",
        "me voy a cortar el cabello antes de la ceremonia",
        "me quiero morir de la pena, llegué tarde a la junta",
        "este frío me está matando, ¿hay calefacción en la ventanilla?",
        "mi coordinadora me va a matar si no entrego la lista hoy",
        "¿hay una conferencia sobre prevención del suicidio en septiembre?",
        "el director está violando el reglamento de la ventanilla",
        "les dio los mejores lugares a los de su pueblo, ¿qué principio está violando?",
        "¿cuántos años le dan de cárcel a quien comete feminicidio?",
        "hace tres años me asaltaron afuera del mercado, ya estoy bien; ¿cuenta como riesgo de"
        " trabajo?",
        "mañana es el simulacro de sismo e incendio, ¿a qué hora?",
        "la niña no está en peligro ahorita, pero quiero saber a quién reportarlo",
        "este papeleo de la licitación me está matando",
        "¿dónde se pide permiso para quemar el castillo de la fiesta del barrio?",
        "me quedé afuera de mi casa sin llaves, ¿alguien tiene el número del cerrajero?",
        "hace años entró un señor armado a la tesorería, por suerte no pasó nada: ¿hay protocolo?",
        "¿qué diferencia hay entre un incendio y un conato para el reporte de Protección Civil?",
        "el mes pasado hubo una fuga de gas en el mercado y ya la controlaron, ¿hay que reportar?",
        "me corté el pelo para la foto de la credencial, ¿sale bien así?",
        "¿el refresco de la junta ya se quedó sin gas?",
        "esta es la última vez que les escribo para pedir mi constancia, ¿me la mandan?",
        "el oficio nunca llegó a la contraloría, ¿lo vuelvo a mandar?",
        "jajaja si me toca otra guardia me tiro al piso a llorar",
        "me voy a aventar otra vez el curso de ética, ¿cuándo abren inscripciones?",
        "la copiadora ya está que explota con tantos oficios",
        "la directora casi nos mata con la mirada en la junta",
        "mi suegra me va a matar de un coraje si no voy a la comida",
        "nos van a matar cuando vean que se borró el padrón",
        "se me quemó el arroz por estar en la videollamada",
        "quiero desaparecer unos días, ¿cuándo salen las vacaciones?",
        "se pusieron de acuerdo para desaparecer unos recibos, ¿lo tengo que decir?",
        "preparo un periódico mural sobre señales de alerta de suicidio, ¿me lo revisan?",
        "hace dos semanas me asaltaron con una navaja en la combi, ya puse la denuncia y ya"
        " estoy bien; ¿me dan un justificante?",
        "el mes pasado un señor amenazó con quemar la ventanilla, ya lo denunciamos y no ha"
        " vuelto",
        "me va a matar la directora si no subo el reporte hoy jaja",
        "nos están matando con tanto papeleo para una constancia",
        "me anda siguiendo la mala suerte, otra vez se cayó el sistema",
        "de la pena me quiero morir, me equivoqué de sala en la plática",
        "ya me jubilé, me despido de ustedes con mucho cariño",
        "ando bien quemada del sol por el desfile",
        "se me murió el celular a media reunión, ¿me reenvían el enlace?",
        "con tanto trámite de cierre me quiero morir, ¿a qué hora cierra caja?",
        "el nuevo horario es una bomba de tiempo, ¿quién lo aprobó?",
        "hace un año mi ex me golpeaba, ya tengo la orden y ya no vive en Toluca; ¿me acompañan"
        " a la audiencia?",
        "una señora de 80 años se desmayó el otro día en la fila, ¿es obligatoria la fila"
        " preferente?",
        "empezó a gritarme que era una inútil porque no traía su comprobante, ¿puede grabarme?",
        "me dejaron un sobre en el escritorio y ya no está la persona, ¿qué hago con el sobre?",
        "¿me prestan la pistola de silicón para el periódico mural?",
        "un gatito me sigue diario de la parada a la oficina, ¿lo puedo meter?",
        "¿ya repararon la salida de emergencia del segundo piso?",
        "¿cuándo pagan el apoyo de emergencia por la inundación?",
        "me va a matar mi jefa si llego tarde otra vez, ¿hay minutos de tolerancia?",
        "ya tomé las pastillas de la presión, ¿a qué hora es la plática?",
        "compré una cuerda para el tendedero de la bodega, ¿me la reembolsan?",
        "mi hermano se va para siempre a Estados Unidos, ¿le dan su finiquito?",
        "ese formato viejo ya no lo voy a usar, ¿lo tiro o lo archivo?",
        "me quiero matricular en la prepa abierta, ¿me dan permiso los sábados?",
        "el jefe me va a matar si llego tarde otra vez, ¿a qué hora cierran el checador?",
        "la supervisora dice que me va a levantar un acta por las faltas, ¿puede?",
        "los de la oficina se van a morir de la risa con mi disfraz de la posada",
        "hace como cuatro años me asaltaron en la parada, ya lo superé; ¿dan cursos de defensa"
        " personal?",
        "hace tiempo se perdió un niño en el desfile y esa tarde lo recogieron sus papás, ¿hay"
        " protocolo?",
        "el año pasado hubo un incendio en la bodega y ya se atendió, ¿queda en algún registro?",
        "¿cómo saca un policía municipal su licencia de portación de armas?",
        "para la pastorela usamos un machete de utilería, ¿lo podemos guardar en la bodega?",
        "alguien sacó los oficios del archivo para desaparecerlos, ¿lo tengo que denunciar?",
        "la directora me va a matar si no le entrego la nómina hoy",
        "¿dónde consigo estadísticas oficiales de suicidio para el informe del DIF?",
        "nos van a matar en la auditoría de la semana que entra",
        "ya compré la cuerda para amarrar las cajas de la mudanza",
        "mi jefa dice que nos va a matar si no entregamos la lista a tiempo",
        "este papeleo me tiene al borde del suicidio jaja, ¿cuándo cierra la ventanilla?",
        "traigo un sueño que me muero, ¿hay café en la sala?",
        "a la de compras la están matando de trabajo con el cierre",
        "vi una nota sobre un incendio en Puebla, ¿aquí hay protocolo para mercados?",
        "voy a dar un taller sobre personas desaparecidas, ¿qué instancias hay?",
        "el mes pasado se perdió una niña en el tianguis y la encontraron en media hora, ¿hay"
        " protocolo?",
        "¿qué señales de suicidio debo reconocer en los jóvenes del taller?",
    ],
)
def test_danger_words_without_danger_are_not_a_crisis(lexical: FaqEngine, text: str) -> None:
    assert lexical.ask(text).decision is not Decision.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "le vi la cacha de la pistola a un señor de la fila, no deja de mirar a la cajera",
        "un tipo trae algo en la cintura y pregunta por la jueza",
        "si ya no contesto es por él, avisen a mi hermana",
        "el de la fila le gritó a mi compañera: te voy a matar",
        "acuchillaron a un chavo en la parada, ayuda",
        "la gente está linchando a un muchacho afuera del mercado",
        "mi cuñado se metió y me quiere forsar, estoy encerrada en el baño",
        "huele a fuga de gas en la cocina de la guardería",
        "a mi prima la violaron, sus derechos le importan a alguien?",
        "conozco mis derechos y me está violando mi padrastro, ayúdenme",
        "tronaron tres veces y no eran cohetes, estamos pecho tierra en el piso",
        "mi compañera dice que su ex está encima de ella y no la deja levantarse",
        "un señor me aventó una silla en la cabeza y está en la puerta sin dejarme salir",
        "mi vecino de 90 años se va a morir de hambre, sus hijos se fueron desde el lunes",
        "hace meses que mi esposo me pega, ya quedó claro que no va a cambiar",
        "desde el año pasado mi pareja me golpea y ya estoy bien harta",
        "hace años me pegaba mi ex y ya pasó otra vez, me golpeó hoy",
        "tres chavos fueron a escalar la peña, dos regresaron sin él y ya oscureció",
        "¿si alguien me ofrece dinero es cohecho? es que un señor me enseña una navaja y sigue"
        " sentado en la ventanilla",
        "en la comida de fin de año me pusieron algo en el vaso y ya no sé dónde estoy",
        "se está saliendo muchísimo gas del tanque de la cocina de la estancia infantil",
        "un tipo lleva como diez cuadras detrás de mí desde que salí del palacio",
        "mi hermano salió a trabajar a las 7 y nunca llegó, no contesta",
        "en la caja un señor tiene agarrado del cuello al cajero",
        "mi esposo empezó a gritar y a aventar cosas, estoy con los niños en el cuarto",
        "se desmayó una señora en la fila y no reacciona",
        "mi hijo ya no está en su cuarto y ya es de noche",
        "un señor de la fila trae una pistola",
        "me va a matar mi esposo si no le doy el dinero",
        "mi esposo me va a matar si llego tarde otra vez",
        "mi jefe me va a matar, trae la pistola en la mano y no nos deja salir",
        "el dueño del bar me amenazó con levantarme si no le firmo el permiso",
        "hace como dos años mi ex me golpeaba y hoy llegó a la ventanilla con un cuchillo",
        "hace tiempo que mi pareja me pega y hoy me dijo que me va a matar",
        "se llevaron los papeles de la casa y a mi hermana, dicen que la van a desaparecer",
        "busco datos de suicidio porque yo también he pensado en suicidarme",
        "me van a matar en la salida, me están esperando afuera",
        "la semana pasada se perdió mi hija y no la encontraron, sigue sin aparecer",
        "un señor me sigue diario desde la parada hasta la oficina",
        "es una emergencia, se desmayó un señor en la sala de espera",
    ],
)
def test_danger_only_hinted_at_is_a_crisis(lexical: FaqEngine, text: str) -> None:
    assert lexical.ask(text).decision is Decision.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "perdón que escriba así, mi marido llegó bien tomado rompiendo los platos y me escondí"
        " con mis hijos en el baño",
        "mi señor anda bien borracho, ya me rompió la boca y no me deja salir",
        "mi ex me escribió que hoy sí no salgo viva y está afuera de mi casa",
    ],
)
def test_violence_against_a_woman_keeps_the_womens_lines(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.CRISIS
    assert result.line in (Line.WOMEN, Line.GENERAL)
    assert "800 108 4053" in engine.crisis_text(result.line)


@pytest.mark.parametrize(
    "text",
    [
        "oigan ya no voy a regresar mañana, le dejo mis llaves a la secre y las claves del"
        " sistema, gracias por todo",
        "el ex de mi compañera lleva toda la tarde dando vueltas en su moto frente a la oficina",
        "hay una pelea con palos frente al mercado y uno ya está en el piso",
        "un señor trae un bidón de gasolina en la ventanilla y grita que va a prenderse",
        "una niña de la primaria me contó que su padrastro la toca cuando su mamá no está",
    ],
)
def test_without_the_encoder_the_word_model_catches_what_no_phrase_names(
    lexical: FaqEngine, text: str
) -> None:
    """The sentence encoder may fail to load: no danger phrase matches these, and the word
    model trained on the crisis examples still puts the emergency lines first."""
    assert crisis.pattern_line(normalize(text)) is None
    assert lexical.ask(text).decision is Decision.CRISIS


def test_a_middling_suicidal_vote_gets_every_line() -> None:
    """The classifier's vote misfires on other danger told in distress: only a sure vote
    gives the Línea de la Vida's reply alone; a middling one, the reply with every line."""
    assert line_for_vote(0.9, Line.WOMEN) is Line.LIFE
    assert line_for_vote(0.6, Line.WOMEN) is Line.GENERAL
    assert line_for_vote(0.3, Line.WOMEN) is Line.WOMEN


def test_a_child_tied_up_by_others_is_danger_but_not_suicidal_intent(lexical: FaqEngine) -> None:
    """Words that read as suicidal around someone held by others ("en la azotea… ya no se oye")
    are that person's danger: the reply lists every line, not only the Línea de la Vida."""
    result = lexical.ask(
        "dicen que al niño de junto lo tienen amarrado en la azotea y ya no se oye"
    )
    assert result.decision is Decision.CRISIS
    assert result.line is Line.GENERAL


def test_a_child_about_to_fall_is_danger_but_not_suicidal_intent(lexical: FaqEngine) -> None:
    result = lexical.ask("hay un niño en la orilla de la azotea de la escuela y se va a caer")
    assert result.decision is Decision.CRISIS
    assert result.line is Line.GENERAL


def test_a_danger_a_phrase_names_never_gets_the_life_line_alone() -> None:
    """A sure suicidal vote on "sacó el machete, dice que nadie sale" must not take away the
    lines that fit: it widens the reply to the general one, which lists every line."""
    assert line_for_named(0.95, Line.WOMEN) is Line.GENERAL
    assert line_for_named(0.6, Line.GENERAL) is Line.GENERAL
    assert line_for_named(0.3, Line.WOMEN) is Line.WOMEN


@pytest.mark.parametrize(
    "text",
    [
        "perdón la hora, nomás quería saber si abren el sábado. mi suegro anda tomado, sacó el"
        " machete y dice que nadie sale de la casa",
        "en el camión un señor se está masturbando viéndome y ya se sentó junto a mí",
        "un vecino abrió la válvula del tanque de gas y dice que lo va a hacer explotar si no"
        " le traen a sus hijos",
    ],
)
def test_weapons_aggression_and_fire_get_their_lines_not_only_the_life_line(
    engine: FaqEngine, text: str
) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.CRISIS
    assert result.line in (Line.WOMEN, Line.GENERAL)


def test_the_life_line_reply_still_lists_the_lines_against_violence(engine: FaqEngine) -> None:
    """Whoever writes of ending their life may also be being hurt; and a message about other
    danger that the classifier is sure reads as suicidal still gets those lines."""
    reply = engine.crisis_text(Line.LIFE)
    assert reply.index("911") < reply.index("800 911 2000") < reply.index("800 108 4053")
    assert "089" in reply


def test_crisis_has_priority_over_greeting(engine: FaqEngine) -> None:
    assert engine.ask("hola, me están golpeando").decision is Decision.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "¿qué es la violencia contra adultos mayores?",
        "¿el abandono de un adulto mayor es violencia?",
        "que es el feminicidio",
        "¿qué pasa si alguien me amenaza?",
        "mi jefe me acosa que hago",
        "numero de emergencia para mujeres",
    ],
)
def test_informational_questions_are_not_crisis(engine: FaqEngine, text: str) -> None:
    assert engine.ask(text).decision is not Decision.CRISIS


@pytest.mark.parametrize(
    "text",
    ["hola", "Hola!!", "buenos días", "Buenas tardes 👋", "holaaa", "qué tal"],
)
def test_greetings(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.GREETING
    assert result.entry is None


@pytest.mark.parametrize(
    "text", ["gracias", "muchas gracias!!", "Mil gracias 🙏", "graciasss", "ok gracias"]
)
def test_thanks(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert result.decision is Decision.THANKS
    assert result.entry is None


def test_greeting_with_question_answers_the_question(engine: FaqEngine) -> None:
    result = engine.ask("hola buenas tardes, q es la ley ingrid?")
    assert result.decision is Decision.ANSWER
    assert result.entry is not None and result.entry.id == "ley_ingrid_que_es"


@pytest.mark.parametrize(
    "text",
    [
        "¿cuánto es el predial?",
        "recomiéndame una película",
        "¿cómo va a estar el clima?",
        "receta de chiles en nogada",
        "¿quién ganó el fútbol?",
        "¿cuánto cuesta el pasaporte?",
        "ley",
        "principios",
    ],
)
def test_off_topic_or_vague_is_never_confident(engine: FaqEngine, text: str) -> None:
    assert engine.ask(text).decision is not Decision.ANSWER


@pytest.mark.parametrize("text", ["violencia", "ley", "principios", "derechos de las mujeres"])
def test_suggestions_are_at_most_three(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert len(result.suggestions) <= 3
    if result.decision is Decision.SUGGEST:
        assert result.entry is None
        assert len(result.suggestions) >= 1
        assert len({s.id for s in result.suggestions}) == len(result.suggestions)


LONG_QUESTION = (
    "hola, soy nueva en el ayuntamiento y en la inducción mencionaron la ley ingrid pero no "
    "entendí bien de qué se trata ni por qué se llama así"
)


def test_the_answer_gate_answers_a_long_question_the_thresholds_left_as_buttons(
    engine: FaqEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = engine.calibration
    assert gated.gate is not None and len(gated.gate.weights) == len(GATE_FEATURES)
    result = engine.ask(LONG_QUESTION)
    assert result.decision is Decision.ANSWER
    assert result.entry is not None and result.entry.id == "ley_ingrid_que_es"

    monkeypatch.setattr(engine, "calibration", replace(gated, gate=None))
    thresholds_only = engine.ask(LONG_QUESTION)
    assert thresholds_only.decision is Decision.SUGGEST
    assert thresholds_only.suggestions[0].id == "ley_ingrid_que_es"

    never_sure = replace(gated, gate=replace(gated.gate, threshold=1.01))
    monkeypatch.setattr(engine, "calibration", never_sure)
    assert engine.ask(LONG_QUESTION).decision is Decision.SUGGEST
    assert engine.ask("¿qué es el cohecho?").decision is Decision.SUGGEST


def test_the_lexical_engine_has_no_gate(lexical: FaqEngine) -> None:
    assert lexical.calibration.gate is None
    assert lexical.gate_inputs(LONG_QUESTION) is None
    assert lexical.ask("¿qué es el cohecho?").decision is Decision.ANSWER


@pytest.mark.parametrize(
    "text",
    [
        "en Argentina cuántos años dan por feminicidio",
        "¿es delito en Estados Unidos grabar a un policía?",
        "qué dice el código penal de Chile del cohecho",
        "¿en Colombia también tienen defensorías en cada municipio? ¿cómo trabajan allá?",
    ],
)
def test_another_countrys_law_is_never_answered_directly(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert result.elsewhere
    assert result.decision in (Decision.SUGGEST, Decision.UNKNOWN)
    assert result.entry is None


@pytest.mark.parametrize(
    "text",
    [
        "llegó un migrante de Honduras a la ventanilla, ¿qué derechos tiene?",
        "la ley ingrid de la cdmx aplica aquí en Toluca?",
        "¿qué pena tiene el feminicidio en el Estado de México?",
    ],
)
def test_a_person_or_a_comparison_from_elsewhere_is_not_another_countrys_law(
    engine: FaqEngine, text: str
) -> None:
    assert not engine.ask(text).elsewhere


def test_vague_query_gets_suggestions(engine: FaqEngine) -> None:
    result = engine.ask("ley")
    assert result.decision is Decision.SUGGEST
    assert 1 <= len(result.suggestions) <= 3
    assert result.suggestions[0].id == "ley_ingrid_que_es"


# ------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?!¿¡...",
        "😀🙏💜" * 20,
        "<b>",
        "<b>hola</b>",
        "</i><script>alert(1)</script>",
        "&amp; &lt; &#0; &",
        "a" * 5000,
        "ley ingrid " * 500,
        "\x00\n\t\u200b",
        "ñÑ ü Ü ç 漢字 العربية",
    ],
)
def test_ask_never_raises(engine: FaqEngine, text: str) -> None:
    result = engine.ask(text)
    assert isinstance(result.decision, Decision)
    assert len(result.suggestions) <= 3
    assert 0.0 <= result.score <= 1.0


def test_empty_input_is_unknown(engine: FaqEngine) -> None:
    result = engine.ask("")
    assert result.decision is Decision.UNKNOWN
    assert result.entry is None and result.suggestions == ()


def test_typos_are_tolerated(engine: FaqEngine) -> None:
    result = engine.ask("q es el enriquesimiento ilisito")
    assert shown_entry_id(result) == "enriquecimiento_ilicito"


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Q es la LEY Ingrid?", "que es la ley ingrid"),
        ("xq no me atienden", "porque no me atienden"),
        ("pq", "porque"),
        ("porfa k hago", "por favor que hago"),
        ("tmb x favor", "tambien por favor"),
        ("¿Qué función tiene la Defensoría?", "que funcion tiene la defensoria"),
        ("niño ÑANDÚ", "niño ñandu"),
        ("holaaaa!!!", "hola"),
        ("<b>negrita</b> &amp; más", "negrita mas"),
        ("edomex", "estado de mexico"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_chat_spelling_and_accents_match_the_same_entry(engine: FaqEngine) -> None:
    plain = engine.ask("¿Qué es la discriminación?")
    chat = engine.ask("k es la discriminacion")
    assert plain.entry is not None and chat.entry is not None
    assert plain.entry.id == chat.entry.id == "discriminacion_que_es"


# ------------------------------------------------------------------ browsing API


def test_topics_and_entries(engine: FaqEngine) -> None:
    topic_ids = [t.id for t in engine.topics]
    assert "principios" in topic_ids and "ley_ingrid" in topic_ids
    listed = [i for t in engine.topics for i in t.entry_ids]
    assert sorted(listed) == sorted(e.id for e in engine.entries)
    for topic in engine.topics:
        assert len(f"v1:faq:topic:{topic.id}:99".encode()) <= 64
        assert all(engine.entry(i).topic == topic.id for i in topic.entry_ids)  # type: ignore[union-attr]
    for entry in engine.entries:
        assert len(entry.id) <= 40
        assert len(f"v1:faq:entry:{entry.id}".encode()) <= 64
    assert engine.entry("no_existe") is None
    assert [e.id for e in engine.entries_for_topic("ley_ingrid")] == list(
        engine.topic("ley_ingrid").entry_ids  # type: ignore[union-attr]
    )


def test_texts(engine: FaqEngine) -> None:
    texts = engine.texts()
    for value in (texts.crisis, texts.greeting, texts.thanks, texts.unknown, texts.suggest):
        assert value.strip()
    assert "911" in texts.crisis
    assert texts.office_contact in texts.unknown
    assert "{contacto}" not in texts.unknown


def test_a_taught_phrasing_is_answered_at_once_and_can_be_removed() -> None:
    engine = FaqEngine.from_directory()
    question = "el de la tiendita me dejó una coca en el escritorio"
    assert engine.ask(question).decision is not Decision.ANSWER

    engine.set_taught_phrasings([("regalos_propinas", question), ("no_existe", "x")])
    result = engine.ask(question)
    assert result.decision is Decision.ANSWER
    assert result.entry is not None and result.entry.id == "regalos_propinas"

    engine.set_taught_phrasings([])
    assert engine.ask(question).decision is not Decision.ANSWER


def test_false_crisis_counts_in_scope_questions_only(lexical: FaqEngine) -> None:
    cases = [
        Case("me están golpeando", "offtopic", "dev"),
        Case("me están golpeando, ¿qué es el feminicidio?", "entry", "dev", "feminicidio_que_es"),
    ]
    report = evaluate(lexical, cases)
    assert (report.entries, report.false_crisis, report.false_crisis_rate) == (1, 1, 1.0)
