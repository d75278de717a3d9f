"""Detection of messages from people in danger: phrase patterns and a learned classifier.

Recall comes first. Showing the emergency lines to a message that did not need them costs
a few seconds of reading; missing one can cost a life. So a message is a crisis when any
pattern matches anywhere in it, or when the classifier trained on the examples of
``content/faq/crisis.toml`` takes it (or any part of a long message) for one.

Each detection names which line fits (:class:`Line`): the Línea de la Vida for suicidal
intent, the women's lines for violence against women, the general list otherwise.

All patterns read text already passed through :func:`bot.faq.normalize.normalize`
(lower case, no accents, chat spellings expanded).
"""

from __future__ import annotations

import enum
import itertools
import math
import pathlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.faq.encoder import Vectors
from bot.faq.normalize import normalize, stem
from bot.faq.vector_cache import Fitted, Negatives, cached_fit, cached_log_odds


class Line(enum.StrEnum):
    """Which help line comes right after 911."""

    GENERAL = "general"
    WOMEN = "mujeres"
    LIFE = "vida"


@dataclass(frozen=True)
class CrisisKind:
    """One kind of danger with the line that fits it and example messages."""

    id: str
    line: Line
    examples: tuple[str, ...]


_GERUNDS = (
    r"(?:golpeand|pegand|maltratand|violand|abusand|matand|amenazand|lastimand|ahorcand"
    r"|asfixiand|agrediend|atacand|persiguiend|siguiend|torturand|secuestrand|encerrand"
    r"|quemand|apuñaland|apunaland|acuchilland|jaloneand|empujand|corretead|pateand"
    r"|acosand|manoseand|amarrand|aventand|rompiend|disparand|asaltand|ahogand|linchand)"
)
_OBJ = r"(?:me|nos|la|lo|le|les|las|los|te)"
_KID = (
    r"(?:ni[nñ][oa]s?|bebes?|menor(?:es)?|chiquit[oa]s?|nen[ea]s?|criaturas?|hij[oa]s?"
    r"|chamac[oa]s?|escuincl[ea]s?|sobrin[oa]s?)"
)
_ALONE = (
    r"(?<!\bno )(?<!\bo )(?<!\by )(?<!\bpero )sol[oa]s?\b(?!\s+(?:quiero|queria|quisiera|para"
    r"|es|era|me|se|pregunto|preguntaba|si|que|tengo|necesito|saber|como|hay|pido|una pregunta"
    r"|una duda|un favor|un dato|por curiosidad))"
)
"""'alone', not the adverb 'only' ("no solo los golpes", "solo quiero saber")."""
_HYPOTHETICAL = re.compile(
    r"\b(?:que pasa si|en caso de|si alguien|si un|si una|si veo|si llega|si me llega|si me pasa"
    r"|si me encuentro|si encuentro|si le|si la|si lo"
    r"|si le pasa|por si pasa|por si acaso|pregunto por si|que es|que son|que significa"
    r"|se considera|es delito|es violencia|cuantos anos|que dice la ley|como se castiga"
    r"|esta penado|que pena (?:tiene|le|les|da|dan|hay|merece|corresponde|alcanza|me)"
    r"|hipotetic|por ejemplo|ejemplo de|para estar preparad|articulo|codigo penal|simulacros?"
    r"|ya se apago|ya (?:lo|la) apagaron|ya esta controlado|(?:la|lo) control(?:o|aron)"
    r"|estadisticas?|que diferencia|diferencia entre"
    r"|(?:numero|numeros|telefono|telefonos|linea|lineas) (?:de )?(?:emergencia|ayuda|atencion))\b"
)

_SUICIDE = (
    r"\bsuicid",
    r"\b(?:me quiero|quiero|me voy a|voy a|me dan ganas de|ganas de|pienso|pensando en|pense en)"
    r"\s+(?:morir|suicidar|quitar la vida|quitarme la vida|desaparecer|acabar con todo"
    r"|terminar con todo|dejar de existir|no despertar|irme para siempre)",
    # "Matar", "colgar", "tirar"… are suicidal only in the reflexive ("me voy a tirar"), and not
    # when they take a thing ("me voy a cortar el pelo", "voy a colgar el cartel").
    r"\b(?:me quiero|me voy a|me dan ganas de|me dieron ganas de|me quise|me iba a)\s+"
    r"(?:matar|colgar|aventar|tirar|cortar)\b"
    r"(?!\s+(?:otra vez\s+|de nuevo\s+|tambien\s+|ahora\s+)?(?:el|la|los|las|un|una|unos|unas"
    r"|mi|mis|tu|tus|su|sus)\b(?!\s+venas))",
    r"\b(?:me|se)\s+(?:corte|corto|cortaba|esta cortando|estoy cortando)\s+(?:las\s+)?"
    r"(?:venas|munecas|muñecas)\b",
    r"\b(?:morirme|matarme|quitarme la vida|cortarme las venas|colgarme|ahorcarme|aventarme"
    r"|tirarme (?:del|de un|de la|al|a las vias)|envenenarme|hacerme dano)\b",
    r"\bme\s+(?:tiro|aviento|avento)\s+(?:al|del|de la|a las|a la|por la)\b"
    r"(?!\s+(?:piso|suelo|cama|sillon|hamaca|agua|alberca|ruedo)\b)",
    r"\bno\s+quiero\s+(?:seguir\s+)?(?:vivir|despertar|estar aqui|existir)\b",
    r"\bya\s+no\s+(?:aguanto|puedo|quiero)\s+(?:mas|seguir|vivir|estar)\b",
    r"\b(?:estarian|estaran|estarias|estaria)\s+mejor\s+sin\s+mi\b",
    r"\b(?:todas|todas las|un monton de|muchas)\s+(?:las\s+)?pastillas\b",
    r"\b(?:junte|juntando|junto|tomarme|me tome|me voy a tomar|guardando)\s+(?:todas\s+)?"
    r"(?:las|unas|mis|estas)?\s*pastillas\b",
    r"\b(?:carta|cartas|nota)\s+(?:de despedida|(?:a|para)\s+(?:mis|sus|su|mi)\s+(?:hijos|hijas"
    r"|familia|esposa|esposo|mama|papa))\b",
    r"\bdeje\s+(?:una\s+|unas\s+|las\s+)?cartas?\b",
    r"\b(?:despedirme|me despido)\s+de\s+(?:todos|ustedes|mi familia|mis hijos)\b",
    r"\b(?:acabar|terminar|acabo|termino)\s+con\s+(?:todo|mi vida|esto)\b",
    r"\b(?:no le encuentro|ya no tiene|no tiene|no le veo)\s+(?:sentido|caso)\s+(?:a\s+)?"
    r"(?:la vida|vivir|seguir|nada)\b",
    r"\b(?:la|una)\s+(?:cuerda|soga)\s+(?:lista|preparada)\b"
    r"|\b(?:tengo|compre|consegui|traigo|amarre)\s+(?:la|una)\s+soga\b"
    r"|\bya\s+(?:tengo|compre|consegui)\s+la\s+(?:cuerda|reata|mecate)\b(?!\s+(?:para|de|del)\b)",
    r"\bya\s+no\s+voy\s+a\s+ser\s+(?:un\s+|una\s+)?(?:problema|carga|estorbo|molestia)\s+"
    r"(?:pa|para)\s+nadie\b",
    r"\bya\s+no\s+(?:aguanto|puedo)\b.{0,40}\b(?:hoy|ahorita|esta noche)\s+se\s+acaba\s+todo\b",
    r"\b(?:seguro de vida|fallece|fallezca|muere|muera|me muero)\b.{0,160}"
    r"\b(?:por\s+decision\s+propia|dejar\s+todo\s+arreglado)\b",
    r"\bregal\w*\s+(?:todas\s+)?(?:mis|su|sus)\s+(?:cosas|plantas|reloj|ropa|chamarra|bici|bicicleta"
    r"|perros?|gatos?|mascotas?|pertenencias|libros|herramientas)\b"
    r"|\bya\s+regale\s+mi\s+(?:perro|gato|bici|bicicleta|ropa|mascota)\b",
    r"\bantes\s+de\s+(?:irme|morirme|matarme)\b",
    r"\b(?:desaparecer|irme)\s+para\s+siempre\b",
    r"\bultimo\s+dia\s+(?:de mi vida|que)\b",
    r"\bya\s+no\s+voy\s+a\s+estar\b|\bmañana\s+ya\s+no\b|\bmanana\s+ya\s+no\b",
    r"\bme\s+voy\s+por\s+mi\s+cuenta\b",
    r"\b(?:despidiendose|despidiendome|me despedi|se despidio|se esta despidiendo)\b",
    r"\b(?:en la azotea|en el puente|en las vias|sobre las vias)\b.{0,60}"
    r"\b(?:no contesta|ya no|despid|caso|sentir|para que|pa que|mirando|viendo)\w*",
    r"\b(?:puente|azotea|techo|barandal|cornisa|edificio)\b.{0,60}\b(?:mirando|viendo|asomad[oa])"
    r"\s+(?:pa|para|hacia)\s+abajo\b",
    # Goodbyes said as if in passing: "es la última vez que les escribo", "ya no les voy a
    # dar lata", "ya no regreso nunca, ya lo decidí".
    r"\b(?:es|sera|esta es)\s+la\s+ultima\s+vez\s+que\s+(?:les|te|le|los)\s+(?:escribo|molesto"
    r"|hablo|busco)\b(?!\s+(?:para|por|sobre|de|del|con)\b)",
    r"\bya\s+no\s+(?:les|te|le|los)\s+voy\s+a\s+(?:dar lata|molestar|dar problemas|estorbar"
    r"|ser (?:una )?carga|ser (?:un )?problema)\b",
    r"\b(?:ya no|no)\s+(?:regreso|voy a regresar|vuelvo|voy a volver)\s+nunca\b",
    r"\bya\s+no\s+quiero\s+sentir\b",
    r"\bya\s+no\s+me\s+(?:van|vas|volveran|volveras)\s+a\s+(?:volver\s+a\s+)?ver\b"
    r"(?!\s+(?:por|en)\b)",
    # Someone else's intent, told by the person who saw it: "dice que se va a aventar".
    r"\bse\s+(?:quiere|va a|iba a|piensa)\s+(?:matar|suicidar|colgar|ahorcar|morir"
    r"|quitar la vida|cortar las venas)\b",
    r"\bse\s+(?:quiere|va a|iba a|piensa)\s+(?:tirar|aventar)\s+(?:a|al|del|de|desde|por)\b",
    r"\bse\s+(?:quiere|va a|iba a)\s+(?:tirar|aventar)\b"
    r"(?!\s+(?:la|el|los|las|lo|un|una|unos|unas|su|sus|mi|mis|tu|tus)\b)",
    r"\b(?:ya\s+)?se\s+(?:despide|esta despidiendo)\b",
    r"\b(?:ser|soy|seguir siendo|sere|me siento)\s+una\s+carga\b",
    r"\b(?:me voy|irme|se va|se fue|me ire|nos vamos)\s+de\s+este\s+mundo\b",
    r"\b(?:voy|va|iba)\s+a\s+saltar\b(?!\s+(?:la cuerda|el turno|la fila|la comida))",
    r"\b(?:darse|pegarse|se daba|se da|se va a dar|me doy|me daba|me voy a dar|darme"
    r"|pegarme)\s+un\s+(?:tiro|balazo)\b",
    r"\bpastillas\b.{0,40}\b(?:demasiadas|para no despertar|para dormir para siempre)\b",
    r"\b(?:dejo|deje|escribio|escribi)\s+una\s+carta\b.{0,60}\b(?:perdon|despid\w*|adios)\b",
    r"\b(?:encerr\w*|se fue|se metio)\b.{0,40}\bcon\s+(?:una|la|el|un|sus|las)\s+(?:cuerda|soga"
    r"|cuchillo|navaja|pistola|arma|cuter|pastillas)\b",
    r"\b(?:no valgo nada|dice que no vale nada|siente que no vale nada)\b",
    r"\bencerr\w*\b.{0,60}\bmotor\s+(?:prendido|encendido)\b",
    r"\bya\s+no\s+(?:los|las|lo|la)\s+(?:iba|voy)\s+a\s+necesitar\b",
    r"\b(?:que\s+(?:la|lo|los|las|me|nos)\s+perdonen?|perdonenme|perdoname)\b.{0,60}"
    r"\b(?:no contesta|ya no contesta|no responde|no esta en su)\b",
    r"\bveneno\b.{0,40}\bno es para\b",
    r"\bcansad[oa]s?\s+de\s+vivir\b",
    r"\b(?:arma|pistola|revolver|escuadra)\s+en\s+(?:la\s+)?(?:boca|cabeza|sien)\b",
    r"\b(?:gracias por todo|cuidense mucho)\b.{0,60}\bno\s+(?:contesta|responde)\b",
    r"\bse\s+(?:va a|iba a|quiere|queria|piensa)\s+hacer\s+(?:algo|dano)\b"
    r"(?!\s+(?:al respecto|para|con|sobre|por|de|en|contra|a\s))",
    r"\b(?:ojala|quisiera|quiero|no pienso|voy a dormir y)\s+(?:ya\s+)?(?:no\s+)?(?:volver a\s+)?"
    r"despertar\b(?:\s+nunca)?|\bdormir\s+y\s+no\s+despertar\b",
    r"\bnadie\s+me\s+va\s+a\s+extra(?:n|ñ)ar\b|\b(?:descansando|descansar)\s+para\s+siempre\b",
    r"\b(?:me|se)\s+(?:tome|tomo|trague|trago|bebi|bebio)\s+(?:un|una|todo|toda|todas|el|la|las|los)?\s*"
    r"(?:frasco|caja|botella|cloro|veneno|raticida|matarratas|pastillas|clonazepam|cloralex"
    r"|insecticida|lo\s+(?:de|para)\s+las\s+ratas)\b",
    r"\b(?:me voy a estrellar|estrellarme|aventarme al trafico)\b",
    r"\bya\s+no\s+(?:voy|vamos)\s+a\s+(?:molestar|estorbar)\s+(?:mas\s+)?a\s+nadie\b",
    r"\bdej\w*\s+(?:su|el|la|mi)\s+(?:arma|pistola)\b.{0,60}\b(?:carta|nota|no contesta)\b",
    r"\b(?:carta|nota)\b.{0,80}\bcansad[oa]s?\s+de\s+todo\b"
    r"|\bcansad[oa]s?\s+de\s+todo\b.{0,80}\b(?:carta|nota|no contesta|pastillas|arma)\b",
    r"\b(?:arma|pistola)\b.{0,120}\bcarta\b|\bcarta\b.{0,120}\b(?:arma|pistola)\b",
    r"\b(?:la|lo)\s+(?:quiero|voy a|pienso)\s+usar\s+conmigo\b|\bdispararme\b",
    r"\bya\s+(?:lo|la|los|las)\s+van\s+a\s+necesitar\s+(?:mis|mi)\s+(?:hijos|hijas|hijo|hija"
    r"|familia|esposa|esposo)\b",
    r"\btodo\s+listo\s+en\s+(?:el|mi)\s+(?:cuarto|recamara|bano|azotea|cochera)\b",
    r"\bya\s+tengo\s+(?:la|mi)\s+carta\s+(?:escrita|lista|hecha)\s+y\s+todo\s+"
    r"(?:listo|preparado)\b",
    r"\bnadie\s+(?:me|lo|la|nos)\s+(?:va|van)\s+a\s+extra[nñ]ar\b"
    r"|\b(?:ya\s+no\s+)?(?:tiene|tengo)\s+(?:para|pa)\s+que\s+seguir\b"
    r"|\bmanguera\s+del\s+escape\b"
    r"|\b(?:se|me)\s+(?:corto|corte)\s+(?:los|las|mis|sus)\s+(?:brazos|munecas|muñecas|piernas)\b",
    # A question about dying by one's own hand with a date: "¿el seguro cubre si uno se quita la
    # vida? es para esta semana".
    r"\b(?:se\s+quita\s+la\s+vida|me\s+quito\s+la\s+vida|quitarse\s+la\s+vida|se\s+suicida"
    r"|suicidio)\b.{0,80}\bes\s+para\s+(?:esta\s+semana|hoy|mañana|manana|esta\s+noche"
    r"|este\s+fin)\b",
    r"\b(?:orilla|borde|cornisa)\s+(?:de la|del)\s+(?:azotea|techo|puente|edificio|barandal)\b",
    r"\b(?:del lado de afuera|al otro lado|del otro lado)\s+del\s+barandal\b"
    r"|\bpiernas\s+colgando\b",
    # Pills gathered or asked about by the dose that kills: "¿cuánto paracetamol es demasiado?
    # ya junté varias cajas".
    r"\b(?:paracetamol|clonazepam|rivotril|diazepam|alprazolam|tafil|pastillas|medicinas?"
    r"|medicamentos?|tabletas|pastillas para dormir)\b.{0,60}"
    r"\b(?:es demasiad[oa]|son demasiad[oa]s|sobredosis|dosis letal|junte|he juntado"
    r"|tengo juntad[oa]s?|varias cajas|muchas cajas)\b"
    r"|\b(?:junte|he juntado|tengo juntad[oa]s?)\s+(?:varias|muchas|unas|todas las)\s+(?:cajas"
    r"|frascos)\s+de\s+(?:paracetamol|pastillas|medicina|clonazepam|rivotril|diazepam)\b",
    r"\bya\s+no\s+(?:van|vas|va|tendran|tendras)\s+(?:a\s+tener\s+)?que\s+(?:cubrirme|aguantarme"
    r"|soportarme|preocuparse por mi|preocuparte por mi|cuidarme|mantenerme|verme)\b",
    r"\b(?:estoy|sigo|ando|me quede|me sente|me acoste|parad[oa])\s+(?:(?:sentad[oa]|parad[oa]"
    r"|acostad[oa]|tirad[oa])\s+)?(?:en|sobre)\s+las\s+vias\b",
    r"\bya\s+no\s+va\s+a\s+(?:estar|volver)\b.{0,60}\b(?:dejar|deje|tengo|tener)\s+todo\s+(?:listo"
    r"|arreglado|en orden)\b|\b(?:dejar|deje|tengo|tener)\s+todo\s+(?:listo|arreglado|en orden)\b"
    r".{0,60}\bya\s+no\s+va\s+a\s+(?:estar|volver)\b",
    r"\b(?:veneno|raticida|cloro|pastillas|insecticida|matarratas)\b.{0,60}\b(?:ya\s+)?me\s+"
    r"(?:lo|la|las|los)\s+(?:tome|trague|bebi)\b",
    r"\bno\s+se\s+(?:pa|para)\s+(?:q|que)\s+(?:sigo|vivo|sigo vivo|sigo aqui)\b",
    r"\b(?:ya\s+)?me\s+corte\b.{0,60}\b(?:sangre|nada importa)\b",
    r"\bya\s+no\s+(?:lo|la|me|nos|los|las)\s+busquen\b",
    r"\b(?:diganle|digale|diles)\s+a\s+(?:mis|mi)\s+(?:hijos|hijas|hijo|hija|mama|papa|esposa|esposo"
    r"|familia|hermanos?|hermanas?)\s+(?:q|que)\s+(?:los|las|lo|la)\s+quiero\b",
    r"\bsi\s+me\s+(?:quito|quitara|quitase|mato|matara|suicido|suicidara)\b"
    r"|\bme\s+(?:quito|quite)\s+la\s+vida\b",
    r"\bya\s+no\s+(?:pienso|planeo|voy a|quiero)\s+estar\s+(?:aqui|aca|viv[oa])\b",
    r"\b(?:seguro de vida|mis hijos|mi familia)\b.{0,80}\bya\s+tome\s+la\s+decision\b"
    r"|\bya\s+tome\s+la\s+decision\b.{0,80}\b(?:seguro de vida|mis hijos|mi familia)\b",
    r"\b(?:me\s+falta|nomas\s+me\s+falta|solo\s+me\s+falta)\s+despedirme\b",
    r"\b(?:escribi|deje)\s+(?:mi|la|una)\s+carta\b.{0,60}\bya\s+(?:pague|salde)\b"
    r"|\bya\s+(?:pague|salde)\b.{0,60}\b(?:escribi|deje)\s+(?:mi|la|una)\s+carta\b",
    # Typed in a hurry: "me quiero matr".
    r"\bme\s+(?:quiero|voy a)\s+(?:matr|mtar|amtar|matra|maatar)\b",
    # Pills already taken ("ya tomé las pastillas"), not one's daily medicine ("me tomé" is above).
    r"\bya\s+tome\s+(?:todas\s+)?las\s+pastillas\b(?!\s+de\s+(?:la\s+|el\s+)?(?:presion"
    r"|diabetes|azucar|tiroides|colesterol|gastritis|alergia|antibiotico))",
    r"\bpastillas\b.{0,80}\bya\s+(?:las|los)\s+(?:conte|tengo contad[oa]s)\b"
    r"|\bya\s+(?:las|los)\s+(?:conte|tengo contad[oa]s)\b.{0,40}\bpastillas\b",
    # A departure with a date: "se va para siempre hoy en la noche", "si me muero hoy…".
    r"\b(?:me voy|se va|irse|me ire)\s+para\s+siempre\s+(?:hoy|esta noche|mañana|manana)\b",
    r"\bsi\s+(?:me muero|muero)\s+(?:hoy|esta noche|mañana|manana)\b",
    r"\bque\s+se\s+vea\s+como\s+(?:un\s+)?accidente\b",
    # Things given away "because I won't need them": "le regalé mi moto, ya no la voy a ocupar".
    r"\b(?:regale|le di|les di|deje)\b.{0,80}\bya\s+no\s+(?:lo|la|los|las)\s+voy\s+a\s+"
    r"(?:ocupar|usar)\b",
)

# Violence against a woman or sexual violence happening now or just now: always a crisis.
_WOMEN_NOW = (
    r"\b(?:me|la|nos|te)\s+(?:viene|vienen|esta|estan|anda|andan)?\s*"
    r"(?:siguiendo|persiguiendo|acechando)\b",
    r"\b(?:me|la|nos)\s+(?:espera|esperan|esta esperando|estan esperando)\s+(?:afuera|a la salida"
    r"|en la salida|abajo|en la esquina)\b",
    r"\besperando(?:la|me|nos)\b",
    r"\b(?:me|la|nos)\s+(?:va|van)\s+a\s+estar\s+esperando\b",
    r"\b(?:me|la|le)\s+(?:violaron|violo|forzo|quiso forzar|quisieron forzar|drogaron)\b",
    r"\b(?:acaban|acaba)\s+de\s+(?:violar|abusar|manosear|tocar)\b",
    r"\b(?:intento|intentaron|quiso|quisieron)\s+(?:abusar|violar|forzar|manosear)\b",
    r"\b(?:me|la|nos)\s+(?:quiere|quieren|quiso|intenta|intento|esta tratando de)\s+"
    r"(?:forzar|forsar|violar|abusar)\b",
    r"\bme\s+sigue\s+(?:diario|a diario|todos los dias|hasta|desde|a todas partes)\b",
    r"\bviolaron\s+a\b",
    r"\b(?:le|me|les)\s+(?:hizo|hace|hacen|hicieron)\s+cosas\b",
    r"\b(?:abusaron|abusa|esta abusando)\s+(?:sexualmente|de mi|de ella|de una|de su|de la)\b",
    r"\b(?:violacion|abuso sexual|agresion sexual)\s+(?:ahorita|ahora|anoche|ayer|hoy|hace)\b",
    r"\b(?:ensenando|mostrando)\s+sus\s+partes\b",
    r"\b(?:esta|estan)\s+toca\w*\s+(?:sus|las|a)\b|\btocando(?:le)?\s+(?:sus|las)\s+partes\b",
    r"\borden\s+de\s+restriccion\b",
    r"\b(?:se esta|esta|estan)\s+masturbando\b|\bmetiendo(?:le)?\s+la\s+mano\b",
    r"\b(?:esta|estaba)\s+encima\s+de\s+(?:mi|su|una|la|ella)\b",
    r"\bdesperte\s+sin\s+ropa\b|\bsin\s+ropa\b.{0,40}\bno\s+me\s+acuerdo\b",
)

_GENERAL_NOW = (
    r"\b(?:agarr\w*|tom\w*|apret\w*|sujet\w*)\s+(?:del|por el|de el)\s+cuello\b",
    # Ongoing violence: "me están golpeando", "está pegándole", "lo siguen pateando".
    rf"\b(?:{_OBJ}\s+)?(?:esta|estan|estaba|estaban|sigue|siguen|empezo a|empezaron a)\s+"
    rf"{_GERUNDS}o\b",
    rf"\b{_GERUNDS}(?:ome|onos|ola|olo|ole|oles|olas|olos)\b",
    rf"\b{_GERUNDS}o\s+(?:a|al)\b",
    # Shouting alone is not violence ("empezó a gritarme que era una inútil"); shouting and
    # hitting or throwing is: "empezó a gritar y a aventar cosas".
    r"\b(?:empezo|empezaron|comenzo)\s+a\s+(?:gritar\w*\s+(?:y\s+(?:a\s+)?)?)?"
    r"(?:pegar|golpear|patear|aventar|romper)\w*",
    # Threats to kill or hurt: "me quiere matar", "va a matarme", "amenazó con matarme".
    r"\b(?:quiere|quieren|queria|va a|van a|iba a|amenaza con|amenazo con|amenazan con"
    r"|amenazaron con)\s+(?:me |nos |la |lo |te |le |les )?"
    r"(?:matar|golpear|pegar|violar|quemar|desaparecer|lastimar|hacer dano|partir|balear"
    r"|disparar|secuestrar|levantar|incendiar|prender fuego|linchar)",
    r"\b(?:dijo|dice)\s+que\s+(?:me|nos|la|lo|te|le|les)\s+(?:va a\s+|iba a\s+)?"
    r"(?:matar|golpear|pegar|violar|quemar|desaparecer|lastimar|balear|secuestrar|levantar)",
    r"\bte\s+(?:voy|vamos)\s+a\s+(?:matar|golpear|violar|quemar|desaparecer|levantar|balear"
    r"|partir la madre|romper la madre)\b",
    r"\b(?:me|nos|la|lo|te|le|les)\s+(?:quiere|quieren|va a|van a|iba a|iban a)\s+hacer\s+algo\b",
    r"\b(?:quiere|quieren|va a|van a|iba a|amenaza con|amenazo con|amenazan con)\s+"
    r"(?:hacerme|hacerle|hacernos|hacerte|hacerles|hacerla|hacerlo)\s+algo\b",
    r"\b(?:me|nos|la|lo|te)\s+(?:quiere|quieren|va a|van a)\s+(?:matar|golpear|pegar|violar)",
    r"\bamenaz\w*\s+de\s+muerte\b",
    r"\b(?:me|nos|te)\s+van\s+a\s+matar\b",
    r"\bno\s+(?:sale|sales|salen|salgo)\s+viv[oa]s?\b",
    r"\bsabe[n]?\s+donde\s+(?:vivo|vivimos|estudian|trabajo)\b",
    r"\bal\s+rato\s+paso\b",
    r"\bya\s+sabe[n]?\s+(?:en que carro|donde|a que hora|por donde)\b",
    r"\bno\s+(?:llego|llegas|llegaras|vas a llegar|va a llegar)\s+a\s+(?:mi|tu|su)\s+casa\b",
    r"\bse\s+oyen\s+(?:golpes|gritos|balazos|disparos|madrazos)\b",
    r"\bno\s+(?:eran|son|fueron|parecen)\s+cohetes\b",
    r"\b(?:estamos|estoy|nos)\s+(?:tirad[oa]s?|echad[oa]s?|agachad[oa]s?|pecho tierra)\s+"
    r"(?:en el piso|en el suelo|al suelo|al piso)\b",
    # Explicit emergency.
    r"\b(?:auxilio|socorro|ayudenme|ayudame rapido|ayuda urgente)\b",
    r"(?<!\bno )\b(?:estoy|estamos|esta|estan|corro|corre|corremos)\s+en\s+peligro\b",
    r"\bpeligro\s+de\s+muerte\b",
    # Recent violence against the writer: "me pegó".
    r"\bme\s+(?:pego|golpeo|golpearon|pegaron|ahorco|apuñalo|apunalo|acuchillo|quemo"
    r"|encerro|encerraron|secuestraron|agredio|agredieron|asaltaron|balearon|dispararon)\b",
    r"\b(?:acaban|acaba)\s+de\s+(?:golpear|pegar|asaltar|apuñalar|apunalar|disparar|atropellar"
    r"|balear|secuestrar|llevarse)\b",
    # Violence in the words people use.
    r"\b(?:madrazos?|putazos?|chingadazos?|trancazos?|golpiza|cachetadas?|cinturonazos?"
    r"|cintarazos?|madreando|madrearon|agarrando a golpes|agarraron a golpes"
    r"|abrio la cabeza|colgado de los pies|cinto en la mano)\b",
    r"\ble\s+(?:da|dan|esta dando|estan dando)\s+"
    r"(?:de\s+(?!(?:comer|cenar|desayunar|beber|tomar|baja|alta|carcel|castigo|multa|pena|anos|años"
    r"|sueldo|vacaciones|vida|bienvenida|gracias|su|la|el|los|las|un|una)\b)\w+"
    r"|con el (?:cinturon|cinto|palo|fierro))",
    r"\b(?:acaba|acaban)\s+de\s+(?:aventar|avent\w+|romper|picar|apuñalar)\b",
    r"\b(?:enseño|enseno|enseña|ensena|mostro|muestra|saco|sacaron|saca)\s+(?:el|la|un|una|su)\s+"
    r"(?:fierro|cuete|arma"
    r"|pistola|navaja|cuchillo|machete|filero|fusca)\b",
    # Hiding or locked in from someone.
    r"\bescondid[oa]s?\b",
    r"\b(?:nos|me)\s+(?:escondimos|escondi|encerramos|encerre|atrincheramos|metimos)\b",
    r"\b(?:estamos|estoy)\s+(?:escondid[oa]s?|encerrad[oa]s?|metid[oa]s?)\b",
    r"\bpuerta\s+(?:atrancada|trabada con)\b",
    r"\b(?:desde el baño|desde el bano|escondida|escondido)\b.{0,40}\b(?:escrib|mensaje)\w*",
    # Fire now.
    r"\b(?:prend\w*|echar\w*)\s+fuego\b",
    r"\b(?:rociando|regando|echando)\s+gasolina\b",
    r"\b(?:se esta quemando|se esta incendiando|hay humo|sale humo|saliendo humo"
    r"|esta en llamas)\b",
    # Someone missing now.
    r"\bno\s+(?:aparece|aparecen|contesta|contestan|sabemos nada|se sabe nada)\s+desde\b",
    r"\bdesde\s+(?:ayer|anoche|hace \w+ (?:horas|dias))\s+no\s+(?:aparece|sabemos|contesta)\b",
    r"\bse\s+(?:la|lo|los|las)\s+llevaron\b",
    r"\bse\s+(?:subio|la subieron|lo subieron|subieron)\s+(?:a|al|en)\s+(?:un|una)?\s*"
    r"(?:carro|auto|coche|camioneta|taxi|vehiculo)\b",
    r"\b(?:esta|estan)\s+desaparecid[oa]s?\b",
    r"\b(?:la|lo)\s+perdimos\b",
    # Someone hurt and not moving, or left without help.
    r"\b(?:no se mueve|inconsciente|esta sangrando|le sale sangre|sangrando mucho|cabeza abierta"
    r"|no puede levantarse|no se puede levantar|no respira)\b",
    r"\bnadie\s+(?:viene|vino|ha venido)\s+por\s+(?:ella|el)\b",
    # Held or taken by force: "me tiene amarrada", "lo tiene agarrado del cuello".
    r"\b(?:me|la|lo|nos|los|las)\s+(?:tiene|tienen)\s+(?:amarrad|encerrad|agarrad|acorralad)\w*",
    r"\b(?:tiene|tienen)\s+acorralad[oa]s?\b",
    r"\b(?:amarrad|encadenad)[oa]s?\s+(?:de|a|con)\s+(?:un|una|los|las|el|la|sus|su)?\s*(?:pies?"
    r"|manos?|patas?|camas?|sillas?|arbol|poste|cadenas?|rejas?|tubos?)\b",
    # Someone taken into a room that is then shut: "la metió a la sala y le echó seguro".
    r"\b(?:metio|encerro|se llevo|jalo)\s+a\s+(?:una|la|un|el|mi|su)\b.{0,80}"
    r"\b(?:echo (?:el )?seguro|cerro con llave|bajo las persianas|apago la luz)\b",
    r"\bagarrad[oa]s?\s+del\s+cuello\b",
    r"\b(?:le|les|me|nos)\s+(?:esta|estan)\s+dando\s+(?:con|de)\b",
    r"\bse\s+llevaron\s+a\s+(?:mi|su|una|un|la|el|mis|sus)\b",
    r"\b(?:la|lo|me|nos)\s+(?:esta|estan)\s+obligando\b",
    r"\b(?:me|nos|lo|la|le)\s+(?:rodearon|rodeo|tumbaron|tumbo|tiraron al suelo|derribaron)\b",
    r"\b(?:botellas?|bombas?)\s+con\s+(?:trapos?|gasolina)\b",
    r"\b(?:rego|regando|echo|echando|tiro|tirando|roci\w*)\s+(?:thinner|tiner|gasolina|alcohol"
    r"|petroleo|diesel)\b",
    r"\bse\s+(?:cayo|cayeron)\b.{0,30}\b(?:a|al|en)\s+(?:la|el|un|una)?\s*(?:canal|cisterna|pozo|rio"
    r"|presa|alberca|barranca|zanja)\b",
    r"\bno\s+salimos\s+vivos\b",
    r"\b(?:me|le|te|les|nos)\s+(?:va|van)\s+a\s+(?:acomodar|romper|partir|voltear)\s+la\s+cara\b",
    r"\bpartiendo(?:le)?\s+la\s+(?:cara|madre|boca)\b",
    r"\bsi\s+me\s+(?:ve|oye|escucha|descubre)\b.{0,30}\b(?:me va peor|me mata|me pega)\b",
    r"\b(?:tiene|con)\s+(?:alzheimer|demencia|autismo)\b.{0,80}\b(?:salio|se salio|se fue"
    r"|se perdio|no aparece|nadie sabe)\b|\b(?:salio|se salio)\b.{0,60}\b(?:alzheimer|demencia)\b",
)

# Signals that count unless the message is plainly about the law or a hypothetical case.
_WEAK = (
    # Violence, in the words people use.
    r"\b(?:madrazos?|putazos?|chingadazos?|trancazos?|golpiza|cachetadas?|cinturonazos?"
    r"|cintarazos?|patadas|madreando|madrearon|madreadon|agarrando a golpes|agarraron a golpes"
    r"|dando de (?:golpes|madrazos|putazos|patadas|cachetadas|cinturonazos))\b",
    r"\b(?:dar(?:nos|les|te|me)? piso|los voy a levantar|te van a levantar|lo levantaron"
    r"|la levantaron|se las cobra|me las va a pagar|se van a arreglar las cosas)\b",
    r"\b(?:cuete|filero|fusca|varillas?|bomba|explosivo|granada|veneno)\b",
    r"\b(?:restregando|metio la mano|me tiene agarrad[oa]|la tiene agarrad[oa]"
    r"|no me deja (?:bajar|salir|ir|irme)|no la deja (?:bajar|salir|ir|irse)|no la suelta)\b",
    # Health emergencies.
    r"\b(?:no puede respirar|no respira|convulsionando|convulsiona|no reacciona"
    r"|se desmayo(?!\s+(?:el otro dia|la otra vez)\b)"
    r"|se esta desvaneciendo|desvanecid[oa]|se trago|se esta ahogando|se ahoga|no puede hablar"
    r"|deshidratad[oa]|se cayo y|lleva toda la noche en el piso|no se puede parar)\b",
    # Someone missing or lost now.
    # ...but not papers made to disappear: "desaparecer unos recibos".
    r"\bdesaparec\w*\b(?!\s+(?:(?:unos|unas|los|las|el|la|sus|mis|esos|esas)\s+)?(?:recibos"
    r"|documentos|expedientes|papeles|archivos|folios|facturas|oficios|pruebas|evidencias?"
    r"|registros|multas|boletas|actas|pagos|cobros)\b)|\bno lleva su medicina\b",
    r"\b(?:se perdio|se salio de la casa|no (?:la|lo|los|las) encontramos|no encontramos a"
    r"|ya no esta(?!\s+la persona\b)"
    r"|se corto hace|ubicacion se quedo|cambio de ruta|se metio por otro lado)\b",
    # "No la encuentro" of a person, not of an article in the code.
    r"\bno\s+(?:la|lo)\s+encuentro\b(?!\s+en\s+(?:el|la|los|las)\s+(?:codigo|ley|lista|pagina"
    r"|sistema|archivo|expediente|reglamento|internet|documento)s?\b)",
    # Someone shut in or unfed.
    r"\b(?:no (?:la|lo) he visto en|se queja adentro|nadie abre|sin sus medicinas|no ha comido"
    r"|(?:la|lo) dejo encerrad[oa]|(?:la|lo) dejaron encerrad[oa]|golpear la puerta)\b",
    # Fire.
    r"\b(?:fuego|humo|chispas|explota|explotar|llamas)\b",
    # Someone watching or waiting for a woman.
    r"\b(?:estacionado viendo|afuera de mi casa|me espera|la espera|esperando en la esquina"
    r"|en la esquina esperando|me acompaña a mi casa)\b",
    r"\b(?:mi|su|tu)\s+(?:pareja|esposo|marido|novio|ex|exesposo|expareja|exnovio|concubino)\b"
    r".{0,80}\b(?:pega|golpea|golpeo|pego|amenaz\w*|jalone\w*|ahorc\w*|rompi\w*|avent\w*"
    r"|encerr\w*|quito (?:el|mi) celular|no me deja salir)",
    r"\b(?:me|la|nos)\s+(?:sigue|siguen|persigue|persiguen|acecha)\b",
    r"\b(?:me|la|nos|le)\s+(?:manosea|manosean|manoseo|viola|violan)\b",
    r"\b(?:me|nos|le|la|lo)\s+(?:golpea|golpean|pega|pegan|maltrata|maltratan|amenaza"
    r"|amenazan|lastima|encierra|ahorca|quema)\b",
    # ...not the building's or a programme's: "la salida de emergencia", "el apoyo de emergencia".
    r"(?<!salida de )(?<!salidas de )(?<!apoyo de )(?<!apoyos de )(?<!plan de )"
    r"\bemergencia\b|\bfuga\s+de\s+gas\b|\blinchamiento\b",
    # Hurt or threatened a moment ago, and the aggressor is still there.
    r"\b(?:me|nos|la|le|lo)\s+(?:amenazo|amenazaron|empujo|empujaron|golpeo|golpearon|agredio"
    r"|agredieron)\b.{0,80}\b(?:sigue|siguen)\s+(?:afuera|ahi|aqui|enfrente|en la puerta)",
    r"\bse\s+(?:esta\s+)?(?:sale|saliendo|salio)\s+(?:el|mucho|muchisimo)\s+gas\b",
    # Drugged at a party: "me pusieron algo en la bebida".
    r"\b(?:me|le|nos|les)\s+(?:dieron|pusieron|echaron|metieron)\s+algo\s+en\s+(?:la|mi|su|el)\s+"
    r"(?:bebida|vaso|copa|refresco|cafe|agua|trago)\b",
    # Someone just hurt, told with "ayuda" or a place: "golpearon a la cajera, ayuda".
    r"\b(?:golpearon|golpeo|madrearon|apuñalaron|apunalaron|acuchillaron|balearon|asaltaron"
    r"|atropellaron)\s+a\s+(?:la|el|un|una|mi|su|nuestra|nuestro)\b",
    r"\b(?:cuchillos?|navajas?|machetes?|armas?|armad[oa]s?|rifles?|escopetas?"
    r"|cuerno de chivo|balazos?|disparos?|balacera|balas?|cuter|pica hielo|picahielo)\b"
    # ...but not a glue or water gun: "la pistola de silicón".
    r"|\bpistolas?\b(?!\s+de\s+(?:silicon|silicona|agua|aire|pintura|calor|juguete|clavos"
    r"|grapas)\b)",
    r"\b(?:quemar|incendiar|echar(?:le)? gasolina|garrafon de gasolina|incendio)\b",
    r"\bno\s+(?:ha|han|a)\s+(?:regresado|llegado|aparecido|vuelto)\b",
    r"\b(?:hij[oa]|espos[oa]|mama|papa|herman[oa]|novi[oa]|compañer[oa]|companer[oa]|sobrin[oa]"
    r"|niet[oa]|abuel[oa]|ni[nñ][oa]|pareja|ella)\b.{0,60}\bnunca\s+llego\b",
    r"\b(?:lleva|llevan|trae|traen)\s+(?:\w+\s+){0,3}(?:cuadras|calles|rato|minutos)\s+"
    r"(?:detras|atras|siguiendome|tras)\b",
    r"\bno\s+(?:bajo|ha bajado|han bajado)\b|\bregresaron\s+sin\s+(?:el|ella)\b",
    r"\bsin\s+dejarme\s+(?:pasar|salir|ir)\b"
    r"|\bme\s+(?:avento|aventaron|tiro|arrojo)\s+(?:un|una|el|la|los|las)\s+\w+\s+(?:a la cara"
    r"|en la cara|a la cabeza|en la cabeza)\b",
    r"\bno\s+(?:aparece|aparecen)\b",
    r"\bno\s+sabemos\s+(?:ni\s+)?(?:quien|donde|nada)\b",
    rf"\b{_KID}\b.{{0,60}}\b(?:{_ALONE}|perdid[oa]s?|abandonad[oa]s?|encerrad[oa]s?|llorando"
    rf"|sangrando|moretones|golpead[oa]s?|no responde|no se mueve|inconsciente|avento)\b",
    rf"\b(?:{_ALONE}|perdid[oa]s?|abandonad[oa]s?)\b.{{0,40}}\b{_KID}\b",
    rf"\ble\s+(?:pega|pegan|golpea)\s+(?:muy\s+)?(?:fuerte\s+)?a\s+(?:su|un|una|la|el)\s+{_KID}",
    r"\b(?:encerrad[oa]s?|amarrad[oa]s?)\b.{0,60}\b(?:dias|sin comer|sin comida|sin agua|solo|sola"
    r"|no le dan|hambre)\b",
    r"\b(?:dias|semana)\s+sin\s+(?:comer|agua|salir)\b",
    r"\bno\s+le\s+dan\s+de\s+comer\b",
    r"\b(?:lo|la|los|las)\s+(?:tienen|tiene)\s+(?:encerrad|amarrad)",
    r"\b(?:esta|estan)\s+tirad[oa]s?\b",
    r"\b(?:la|lo)\s+(?:dejaron|abandonaron)\s+(?:afuera|sola|solo|tirad[oa]|en la calle)\b",
    r"\bsangrando\b",
    r"\b(?:no quiere|no quiero|no queremos|miedo de|teme|le da miedo)\s+(?:regresar|volver|llegar)"
    r"\s+a\s+(?:su|mi|la)\s+casa\b",
    r"\bhuele\s+(?:mucho\s+|muchisimo\s+|bien\s+|muy\s+)?(?:fuerte\s+)?a\s+gas\b",
    r"\b(?:prender|prendio|prende|encender|encendio)\s+(?:un\s+)?(?:cerillo|encendedor|mechero)\b"
    r"|\bencendedor\s+en\s+la\s+mano\b",
    r"\b(?:padrastro|tio|primo|vecino|abuelo)\b.{0,40}\b(?:se mete|entra|se metio)\s+(?:a|en)\s+su"
    r"\s+cuarto\b",
    r"\bnadie\s+sabe\s+donde\s+(?:esta|anda)\b|\bcelular\s+(?:esta\s+)?apagado\b",
    r"\bse\s+fue\s+con\s+un\s+(?:hombre|senor|señor|tipo|desconocido)\b",
    r"\b(?:le|les|te|me)\s+(?:hacen|van a hacer|hagan)\s+algo\b|\bque\s+me\s+cuide\b",
    r"\bapuntando\b|\bescuadra\s+en\s+la\s+mano\b|\bsin\s+refuerzos\b",
    r"\b(?:se le ve|se le veia|le vi|le vimos|trae|traia|lleva|llevaba)\s+(?:la|una)\s+cacha\b"
    r"|\b(?:algo|un bulto|un fierro|una pistola|un arma|un cuete)\s+(?:fajad[oa]\s+)?en\s+la"
    r"\s+cintura\b",
    # "If I stop answering, it's because of him": written by someone about to be hurt.
    r"\bsi\s+(?:dejo de|ya no|no)\s+(?:contest|respond)\w*\b.{0,40}\b(?:es por eso|es por el"
    r"|es por ella|ya sabes|ya saben|llamen|llama|marca|marquen|avisa|avisen)\b",
    r"\b(?:me subo|me suba|subirme|que me suba)\s+a\s+su\s+(?:carro|coche|camioneta|auto|cuarto"
    r"|casa)\b",
    r"\b(?:escribo|hablo|le escribo)\s+(?:bajito|en voz baja|a escondidas)\b",
    r"\b(?:mi|tu|su)\s+ubicacion\b|\bfoto\s+mia\b.{0,40}\bhace\s+\w+\s+minutos\b",
    r"\basomad[oa]\b.{0,40}\b(?:ventana|bano|baño|regadera)\b",
    r"\b(?:parado|trepado|estacionado)\b.{0,60}\b(?:viendome|viendo a mi|mirandome"
    r"|sin hacer fila)\b",
    r"\bdetras\s+de\s+(?:ella|mi)\b.{0,40}\b(?:todas las noches|diario|siempre|otra vez)\b",
)

_FEAR = re.compile(
    r"\b(?:tengo|tenemos|me da|nos da|siento|me dan|tiene|tienen)\s+(?:mucho\s+)?"
    r"(?:miedo|panico)\b(?!\s+(?:de|a)\s+(?:quejarme|denunciar|perder|que me corran|decir))"
    r"|\b(?:estoy|estamos|esta|estan)\s+(?:muy\s+)?(?:asustad[oa]s?|aterrad[oa]s?|temblando)\b"
)
_HARM = re.compile(
    r"\b(?:golpe\w*|peg(?:a|an|o|ar|arme|arle)|amenaz\w*|maltrat\w*|persig\w*|lastim\w*"
    r"|agred\w*|mata\w*|violar\w*|violo|violaron|acos\w*|hostig\w*)\b"
)


_IDIOMS = re.compile(
    r"\b(?:me quiero morir|me muero|me voy a morir|quiero morirme|me estoy muriendo|me mori"
    r"|me morire)\s+de\s+(?:la\s+|lo\s+|tanto\s+)?(?:verguenza|pena|risa|hambre"
    r"|sue[nñ]o|flojera|aburrimiento|aburrid[oa]|larg[oa]|tedios[oa]"
    r"|calor|frio|cansancio|envidia|nervios|emocion|gusto|ternura|antojo|sed|celos)\b"
    r"|\b(?:se|te|nos)\s+(?:va|van|vas|vamos)\s+a\s+morir\s+de\s+(?:la\s+)?(?:risa|verguenza"
    r"|envidia|gusto|ternura|nervios|emocion|celos)\b"
    r"|\b(?:el|este|ese|la|esta|esa|los|estos|las|estas|mi|mis)\s+(?:calor|frio|hambre|sue[nñ]o"
    r"|dolor(?: de \w+)?|trafico|espalda|cabeza|muela|cruda|risa|chamba|trabajo|estres|pies"
    r"|zapatos|tacones|gripa|tos|examenes?|tareas?|cierre|colitis|rodilla|tramites?|expedientes?"
    r"|papeleo|proceso|juntas?|horario|chamaco|chamacos)\s+(?:\w+\s+){0,3}me\s+(?:esta|estan)"
    r"\s+matando\b"
    r"|\bme\s+(?:esta|estan)\s+matando\s+(?:el|este|la|esta|los|las|mis)\s+(?:calor|frio|hambre"
    r"|sue[nñ]o|dolor|trafico|espalda|cabeza|muela|cruda|risa|pies|zapatos|tacones|gripa|tos|colitis"
    r"|rodilla)\b"
    r"|\b(?:mi|la|el)\s+(?:jef[ea]|director[a]?|coordinador[a]?|supervisor[a]?|maestr[oa]|profe)"
    r"\s+(?:dice\s+(?:que|q)\s+)?(?:me|nos)\s+va\s+a\s+matar\s+si\s+"
    r"(?:no\s+(?:(?:le|les|lo|la)\s+)?"
    r"(?:entrego|entregamos|llego|llegamos|termino|terminamos|acabo|mando|mandamos|subo|presento"
    r"|capturo|cierro|tengo)|(?:vuelvo\s+a\s+)?llego\s+tarde|vuelvo\s+a\s+llegar\s+tarde)\b"
    r"|\b(?:esta|la|mi|este|el)\s+(?:chamba|trabajo|oficina|cierre|auditoria)\s+me\s+va\s+a"
    r"\s+matar\b"
    r"|\blevantar(?:me|le|te|nos|les)?\s+(?:un\s+|una\s+|el\s+|la\s+)?(?:acta|actas|reporte"
    r"|queja|infraccion|multa|inventario|censo|pedido|falsos)\b"
    r"|\b(?:licencia|permiso)s?\s+(?:de|para)\s+(?:portacion|portar|porte)\s+(?:de\s+)?armas?\b"
    r"|\b(?:pistolas?|armas?|cuchillos?|machetes?|espadas?|rifles?)\s+de\s+(?:utileria|juguete"
    r"|plastico|carton|mentiritas|hule)\b"
    r"|\b(?:expedientes?|documentos?|recibos?|papeles|archivos?|facturas?|oficios?|pruebas"
    r"|evidencias?|boletas?)\b(?:\s+\w+){0,16}?\s+desaparecer(?:los|las)\b"
    r"|\b(?:estadisticas?|datos|cifras|tasas?|indices?)\s+(?:oficiales\s+)?(?:de|del|sobre)\s+"
    r"(?:el\s+)?suicidios?\b"
    r"|\b(?:el|la|este|esta|los|las)\s+(?:tramites?|chamba|trabajo|oficina|cierre|papeleo|sistema"
    r"|licencias?)\b.{0,40}\bal\s+borde\s+del\s+suicidio\b"
    r"|\b(?:cruda|calor|frio|sue[nñ]o|hambre|flojera)\s+que\s+me\s+(?:quiero\s+morir|muero)\b"
    r"|\b(?:matar|matando)\s+de\s+(?:trabajo|chamba|cansancio)\b"
    r"|\b(?:nota|noticia|noticias|reportaje|video)\s+(?:\w+\s+){0,3}(?:de|del|sobre)\s+"
    r"(?:un|el|la|los)\s+incendios?\b"
    r"|\b(?:platica|taller|curso|capacitacion|tema|conferencia)\s+(?:\w+\s+){0,6}(?:sobre|de)\s+"
    r"(?:las\s+)?personas\s+desaparecidas\b"
    r"|\bquema\s+de\s+judas\b|\bquemar\s+(?:los\s+|el\s+|unos\s+)?(?:cohetes|castillo|toritos?"
    r"|juegos pirotecnicos|judas)\b"
    r"|\bsiguiendo\s+en\s+(?:instagram|facebook|face|tiktok|twitter|redes)\b"
    r"|\bme\s+quede\s+afuera\s+de\s+mi\s+casa\b"
    r"|\b(?:mama|madre|papa|padre|mami)\s+(?:soltera|soltero|sola|solo)\b"
    r"|\bprevencion\s+del\s+suicidio\b|\b(?:se[nñ]ales|factores|riesgo)\s+de\s+"
    r"(?:(?:alerta|riesgo)\s+)?(?:suicida|de suicidio|del suicidio|suicidio)\b"
    r"|\b(?:ya\s+)?esta\s+que\s+(?:explota|echa lumbre|arde|truena)\b|\bechaba\s+lumbre\b"
    r"|\b(?:mata|mato|matar|matando|matarnos|matarme)\s+con\s+la\s+mirada\b"
    r"|\b(?:me|nos|te|lo|la)\s+va\s+a\s+matar\s+de\s+(?:un|una|el|la)\s+(?:infarto|coraje|susto"
    r"|disgusto|risa|ataque|corajes|sustos)\b"
    r"|\b(?:me|nos|te|lo|la|los|las)\s+(?:van|va)\s+a\s+matar\s+(?:cuando\s+(?:vean|vea|sepan|sepa"
    r"|se enteren|se entere|lleguen a ver)|en\s+(?:el|la|los|las)\s+(?:examen(?:es)?|junta"
    r"|entrevista|evaluacion|auditoria|partido|final|exposicion|revision))\b"
    r"|\bme\s+caigo\s+de\s+(?:sue[nñ]o|cansancio|risa|hambre)\b"
    r"|\bse\s+me\s+quem(?:o|aron)\s+(?:la|el|los|las|mi|mis)\s+(?:comida|arroz|frijoles|sopa"
    r"|tortillas|pan|pastel|cena|guisado|carne|pollo|tostadas|quesadillas|huevos?|cafe|frijol)\b"
    r"|\b(?:me quiero|quiero|me voy a|voy a|quisiera)\s+desaparecer\s+(?:este|esta|el|unos|unas"
    r"|una|un|todo el|toda la|de vacaciones|del trabajo|de la oficina|a la playa)\b"
    r"(?!.{0,30}\bpara\s+siempre\b)"
    r"|\bme\s+va\s+a\s+matar\s+(?:el|la|mi)\s+(?:jef[ea]|director[a]?|coordinador[a]?|supervisor[a]?"
    r"|licenciad[oa]|mama|suegra)\s+si\s+(?:no|llego|vuelvo)\b"
    r"|\b(?:me|nos)\s+(?:esta|estan)\s+matando\s+con\s+(?:tanto|tanta|tantos|tantas|el|la|los|las)\b"
    r"|\b(?:siguiendo|sigue|persigue)\s+la\s+mala\s+suerte\b|\bla\s+mala\s+suerte\s+me\s+"
    r"(?:sigue|persigue|anda siguiendo)\b"
    r"|\b(?:un|una|el|la|mi|su)\s+(?:gat|perr|michi|lomit)\w*\s+(?:me|nos|la|lo)\s+"
    r"(?:sigue|siguen|persigue)\b"
    r"|\b(?:bien|muy|re|medio)\s+cuetes?\b|\bemergencia\s+de\s+chismes?\b"
    r"|\bde\s+(?:la\s+|puro\s+)?(?:flojera|verguenza|pena|risa|hambre|sue[nñ]o|cansancio"
    r"|aburrimiento)\s+me\s+(?:quiero morir|muero|voy a morir)\b"
    r"|\b(?:jubil\w*|renuncie|cambio de area|nuevo trabajo|nueva chamba)\b.{0,80}"
    r"\bme\s+despido\s+de\s+(?:todos|ustedes)\b|\bme\s+despido\s+de\s+(?:todos|ustedes)\b(?=.{0,80}\b(?:jubil\w*"
    r"|renuncie|cambio de area|nuevo trabajo|nueva chamba)\b)"
    r"|\bcon\s+tanto\s+(?:papeleo|trabajo|tramite|chamba|calor|trafico|pendiente)\b.{0,40}"
    r"\bme\s+quiero\s+morir\b|\bbomba\s+de\s+tiempo\b"
    r"|\bquemad[oa]s?\s+(?:de|por el|del)\s+sol\b|\bme\s+queme\s+con\s+el\s+sol\b"
    r"|\bse\s+(?:me|le|nos)\s+murio\s+(?:el|la|mi)\s+(?:cel|celular|pila|bateria|telefono|compu"
    r"|computadora|laptop|carro|coche|moto|planta)\b"
    r"|(?<!\bme )(?<!\bla )(?<!\ble )(?<!\blo )(?<!\bte )(?<!\bnos )(?<!\bles )"
    r"\bviol(?:a|an|o|aron|ando|ar|ado|ada)\s+(?:(?:mis|sus|los|tus|el|la|las|su|mi|tu|nuestros"
    r"|nuestras)\s+)?(?:derechos?|principios?|ley|leyes|reglamento|normas?|codigo|constitucion"
    r"|garantias|privacidad|confidencialidad|protocolo|contrato|horario|acuerdo|procedimiento"
    r"|debido proceso|veda|sellos?|lineamientos?|reglas?)\b"
    r"|\b(?:principios?|derechos?|leyes|ley|reglamento|normas?|codigo|lineamientos?|reglas?"
    r"|protocolo)\s+(?:(?!(?:me|la|le|lo|te|nos|les|las|los)\b)\w+\s+){0,3}"
    r"viol(?:a|an|o|aron|ando|ar|ado|ada)\b"
)
"""Sayings and topics that borrow danger words: removed before the patterns read a message
("me quiero morir de la vergüenza", "este calor me está matando", "la prevención del
suicidio", "me está violando mis derechos", "¿qué principio está violando?"). "Morir de
hambre" is a saying only in the first person: "la abuelita se va a morir de hambre" is
neglect."""

_LONG_AGO = re.compile(
    r"(?<!desde )\bhace\s+(?:mas de\s+|como\s+|casi\s+)?(?:(?:\d+|un|una|dos|tres|cuatro|cinco"
    r"|seis|siete|ocho|nueve|diez|varios|varias|unos|unas|muchos|muchas|mucho)\s+)?"
    r"(?:a[nñ]os?|mes(?:es)?|tiempo)\b(?!\s+que\b)"
    r"|(?<!desde )\bel\s+(?:a[nñ]o|mes)\s+pasado\b"
    r"|(?<!desde )\bhace\s+(?:una|un par de|dos|tres|varias|unas)\s+semanas?\b(?!\s+que\b)"
    r"|(?<!desde )\bla\s+semana\s+pasada\b"
)
"""Long ago, not "hace meses que me pega" or "desde el año pasado" (still going on)."""
_SETTLED = re.compile(
    r"\bya\s+(?:(?:estoy|esta|estamos)\s+bien\b(?!\s+(?:hart|mal\b|triste|\w+(?:ad|id|it)[oa]s?\b))"
    r"|paso\b(?!\s+(?:otra vez|de nuevo|varias veces|muchas veces|dos veces|lo mismo))"
    r"|(?:se resolvio|se soluciono|se arreglo|se atendio|me recupere|se recupero|sane"
    r"|quedo resuelto"
    r"|(?:lo|la)\s+supere|(?:lo|la)\s+encontraron"
    r"|lo detuvieron|lo sentenciaron|esta preso|(?:tiene|tienen|hay|puso|pusieron|pusimos|levanto"
    r"|levantamos|levantaron|puse|pusimos)\s+(?:la\s+|una\s+)?(?:carpeta|denuncia)"
    r"|(?:lo|la|los|las)\s+denunci(?:e|amos|aron)|no\s+ha\s+vuelto)\b)"
    r"|\bse\s+disculpo\b|\bno\s+paso\s+nada\b|\btodo\s+salio\s+bien\b"
    r"|\bya\s+tengo\s+(?:la\s+|una\s+)?orden\b"
    r"|\bya\s+(?:ni|no)\s+vive\s+(?:aqui|en el estado|en toluca|conmigo|en la casa)\b"
    r"|\bno\s+hubo\s+heridos\b|\bvinculad[oa]\s+a\s+proceso\b"
    r"|\b(?:lo|la|los|las)\s+recogieron\b|\bel\s+seguro\s+pago\b"
    r"|(?<!no )\b(?:lo|la)\s+encontraron\s+(?:en|a los|a las|al|bien|san[oa]|con)\b"
)
"""A past event already settled ("hace dos años me asaltaron…, ya estoy bien") is a question
about what followed, not a danger now; suicidal words still count."""


def without_sayings(normalized: str) -> str | None:
    """The message with its sayings (`_IDIOMS`) taken out, or None when it has none."""
    stripped, count = _IDIOMS.subn(" ", normalized)
    return " ".join(stripped.split()) if count else None


def _any(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_SUICIDE_RE = _any(_SUICIDE)
_WOMEN_NOW_RE = _any(_WOMEN_NOW)
_GENERAL_NOW_RE = _any(_GENERAL_NOW)
_WEAK_RE = _any(_WEAK)
_NOW_RE = re.compile(
    r"\b(?:ahorita|en este momento|ahora mismo|sigue ahi|sigue afuera|sigue aqui|siguen ahi"
    r"|siguen afuera|no paran|no para|ayuda|ayudenme|urgente|rapido"
    r"|sigue (?:sentad[oa]|parad[oa]|enfrente|afuera|en la ventanilla|en mi escritorio))\b"
)
_WOMAN_WORDS = re.compile(
    r"\b(?:mujer|señora|senora|muchacha|chava|esposa|novia|ella|mi mama|su mama|compañera"
    r"|companera|pareja|esposo|marido|novio|ex)\b"
)


def line_for_words(normalized: str) -> Line:
    """The women's lines when the message speaks of a woman or a partner, else the general."""
    return Line.WOMEN if _WOMAN_WORDS.search(normalized) else Line.GENERAL


_CHILD_FALLING = re.compile(
    rf"\b{_KID}\b.{{0,80}}\b(?:orilla|borde|cornisa|barandal|ventana|azotea|techo)\b.{{0,80}}"
    r"\bse\s+(?:va|puede|iba)\s+a\s+caer\b"
)
"""A child at the edge of a roof who may fall: danger, but not suicidal intent."""


_HELD_BY_OTHERS = re.compile(
    r"\b(?:lo|la|los|las)\s+(?:tienen|dejaron|tenian)\s+(?:amarrad|encerrad|encadenad)\w*"
)
"""Someone tied or shut in by others: what reads like suicidal words around them ("en la
azotea… ya no se oye nada") is their danger, and the reply lists every line."""


def pattern_line(normalized: str) -> Line | None:
    """Returns the line that fits a message matching a danger pattern, or ``None``.

    Suicidal intent, violence happening now and sexual violence always count; weaker
    signals (a weapon named, "le pega", a child alone) count unless the message is
    plainly a question about the law or a hypothetical case ("¿qué pena tiene…?").
    """
    normalized = _IDIOMS.sub(" ", normalized)
    if _CHILD_FALLING.search(normalized):
        return Line.GENERAL
    if _SUICIDE_RE.search(normalized):
        return Line.GENERAL if _HELD_BY_OTHERS.search(normalized) else Line.LIFE
    if _LONG_AGO.search(normalized) and _SETTLED.search(normalized):
        return None
    if _WOMEN_NOW_RE.search(normalized):
        return Line.WOMEN
    if _GENERAL_NOW_RE.search(normalized):
        return line_for_words(normalized)
    if _FEAR.search(normalized) and _HARM.search(normalized):
        return line_for_words(normalized)
    if _WEAK_RE.search(normalized) and (
        _NOW_RE.search(normalized) or not _HYPOTHETICAL.search(normalized)
    ):
        return line_for_words(normalized)
    return None


SUICIDAL_VOTE = 0.5
"""The classifier's vote from which a message reads as suicidal intent."""
SURE_SUICIDAL_VOTE = 0.8
"""The vote from which the Línea de la Vida's own reply is given, when no phrase named
suicidal intent. Between the two votes the general reply is given, which lists every line,
the Línea de la Vida included: the vote misfires on other danger told in distress ("mi hija
de 14 no llegó", "me mandó foto de mi casa y de una pistola" score 0.5–0.65), and the Línea
de la Vida's reply alone would leave those without the lines that fit."""


def line_for_vote(vote: float, otherwise: Line) -> Line:
    """The line of a crisis given the classifier's suicidal vote (see SURE_SUICIDAL_VOTE)."""
    if vote >= SURE_SUICIDAL_VOTE:
        return Line.LIFE
    return Line.GENERAL if vote >= SUICIDAL_VOTE else otherwise


def line_for_named(vote: float, named: Line) -> Line:
    """The line of a danger a phrase named (a weapon, a partner's violence, a fire), given the
    classifier's suicidal vote: at most the general reply, which lists every line, the Línea
    de la Vida included. A sure vote on "sacó el machete, dice que nadie sale" or on a gas
    tank about to explode (0.84, 0.95) must not take away the lines that fit."""
    return Line.GENERAL if vote >= SUICIDAL_VOTE else named


class CrisisClassifier:
    """Two votes over sentence vectors, averaged: is it a crisis; and is it suicidal intent.

    Fitted on the content's own texts (a third of a second) and kept in the vector cache,
    keyed by the vectors it was fitted on (:func:`bot.faq.vector_cache.cached_fit`). The crisis
    examples of ``crisis.toml`` are the positives, and its calm look-alikes and every FAQ
    phrasing the negatives. The first vote is a class-balanced logistic regression: a
    weighted linear boundary generalises to new wordings and learns which directions of the
    space mean danger rather than topic. The second is the margin between the mean cosine of
    the NEIGHBOURS closest positives and that of the closest negatives: it catches a
    wording close to a few examples that the boundary averages away. Measured across
    writers (trained without one writer's 320 crisis messages and 605 calm texts, scored on
    them), the average ranks danger above calm better than either vote alone: recall 0.89
    against 0.86 where 3 % of FAQ questions may be taken for a crisis, 0.97 at 5 %.

    A second regression tells the examples of the kinds whose line is the Línea de la Vida
    from the other crisis examples.
    """

    NEIGHBOURS = 3
    MARGIN_SCALE = 20.0
    """Turns a difference of mean cosines (a few hundredths) into a probability-like score."""

    def __init__(
        self,
        kinds: Sequence[CrisisKind],
        crisis_vectors: Vectors,
        calm_vectors: Negatives,
        cache_dir: pathlib.Path | None = None,
        story_vectors: Vectors | None = None,
    ) -> None:
        lines = [kind.line for kind in kinds for _ in kind.examples]
        life = np.array([line is Line.LIFE for line in lines])
        self._others = crisis_vectors[~life]
        self._other_lines = [line for line in lines if line is not Line.LIFE]
        self._positives = crisis_vectors
        self._negatives = calm_vectors
        self._crisis = cached_fit(
            crisis_vectors, calm_vectors, _fit, _FIT_PARAMETERS, cache_dir, "crisis"
        )
        self._part_negatives = calm_vectors
        self._part_crisis = self._crisis
        if story_vectors is not None and story_vectors.size:
            self._part_negatives = (*calm_vectors, story_vectors)
            self._part_crisis = cached_fit(
                crisis_vectors,
                self._part_negatives,
                _fit,
                _FIT_PARAMETERS,
                cache_dir,
                "parts",
            )
        life_vectors, other_vectors = crisis_vectors[life], crisis_vectors[~life]
        self._life = (
            cached_fit(life_vectors, (other_vectors,), _fit, _FIT_PARAMETERS, cache_dir, "life")
            if life.any()
            else None
        )

    def probabilities(self, queries: Vectors) -> npt.NDArray[np.float64]:
        """Returns each query's score of being a crisis message, from 0 to 1."""
        return self._votes(queries, self._crisis, self._negatives)

    def part_probabilities(self, parts: Vectors) -> npt.NDArray[np.float64]:
        """The same score for the parts of a long message, read against the parts of the
        FAQ's own stories as well: a sentence of a story told at the window ("vino un señor en
        silla de ruedas y no pudo subir", "la directora no quiere inscribir a un niño") sounds
        like the crisis examples, all of them stories, to a model that saw only whole
        questions on the calm side. A whole message is still read as before, so a short
        farewell keeps the reading it had; so is a part that reads as suicidal intent, said
        in passing inside a question, which no story of the FAQ tells."""
        story = self._votes(parts, self._part_crisis, self._part_negatives)
        if self._life is None or not len(parts):
            return story
        suicidal = _predict(self._life, parts) >= SURE_SUICIDAL_VOTE
        if not suicidal.any():
            return story
        plain = self._votes(parts, self._crisis, self._negatives)
        return np.where(suicidal, np.maximum(story, plain), story)

    def _votes(
        self, queries: Vectors, model: Fitted, negatives: tuple[Vectors, ...]
    ) -> npt.NDArray[np.float64]:
        margin = self._nearest_mean(queries, (self._positives,)) - self._nearest_mean(
            queries, negatives
        )
        return (_predict(model, queries) + _sigmoid(self.MARGIN_SCALE * margin)) / 2

    def _nearest_mean(
        self, queries: Vectors, examples: tuple[Vectors, ...]
    ) -> npt.NDArray[np.float64]:
        """The mean cosine of each query's NEIGHBOURS closest examples, over all the arrays
        (kept apart, so the parts' negatives are not a second copy of the calm ones)."""
        similarities: npt.NDArray[np.float32] = np.hstack([queries @ e.T for e in examples])
        count = min(self.NEIGHBOURS, similarities.shape[1])
        if count == 0:
            return np.zeros(len(queries))
        nearest = np.partition(similarities, similarities.shape[1] - count, axis=1)[:, -count:]
        means: npt.NDArray[np.float64] = nearest.mean(axis=1, dtype=np.float64)
        return means

    def suicidal_score(self, queries: Vectors) -> float:
        """The highest vote, over the queries, that they read as suicidal intent (0 to 1)."""
        if self._life is None or not len(queries):
            return 0.0
        return float(np.max(_predict(self._life, queries)))

    def nearest_line(self, query: Vectors) -> Line:
        """Returns the line of the (non-suicide) crisis example closest to one query vector."""
        if not self._other_lines:
            return Line.GENERAL
        return self._other_lines[int(np.argmax(self._others @ query))]


_ITERATIONS = 300
_L2 = 1e-3
_RATE = 4.0
_FIT_PARAMETERS = (
    f"balanced logistic regression, gradient descent {_ITERATIONS} x {_RATE}, l2 {_L2}"
)
"""Part of the cached model's key: a change here refits instead of trusting the cache."""


def _fit(positives: Vectors, negatives: Negatives) -> Fitted:
    """Fits a class-balanced logistic regression by gradient descent (deterministic)."""
    negative_rows = sum(len(array) for array in negatives)
    features = _float64_rows((positives, *negatives))
    labels = np.concatenate([np.ones(len(positives)), np.zeros(negative_rows)])
    # Both classes weigh the same, however many examples each has.
    weights = np.where(labels == 1, 0.5 / len(positives), 0.5 / negative_rows)
    w, b, rate = np.zeros(features.shape[1]), 0.0, _RATE
    for _ in range(_ITERATIONS):
        error = (_sigmoid(features @ w + b) - labels) * weights
        w -= rate * (features.T @ error + _L2 * w)
        b -= rate * float(error.sum())
    return w, b


def _float64_rows(arrays: Sequence[Vectors]) -> npt.NDArray[np.float64]:
    """The arrays' rows in one float64 matrix, written in place: stacking them first would
    also hold a float32 copy of every vector, and the fits are the peak of the bot's first
    start, while the cache is being built."""
    matrix = np.empty((sum(len(a) for a in arrays), arrays[0].shape[1]), dtype=np.float64)
    start = 0
    for array in arrays:
        matrix[start : start + len(array)] = array
        start += len(array)
    return matrix


def _predict(model: Fitted, queries: Vectors) -> npt.NDArray[np.float64]:
    w, b = model
    return _sigmoid(queries.astype(np.float64) @ w + b)


def _sigmoid(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -30.0, 30.0)))


def semantic_line(
    classifier: CrisisClassifier, queries: Vectors, threshold: float, context: float = 0.0
) -> Line | None:
    """Returns the line of the first text the classifier takes for a crisis, or ``None``.

    `queries` holds the whole message first, then its parts. A part counts only when the
    whole message scores at least `context`.
    """
    probabilities = np.concatenate(
        [classifier.probabilities(queries[:1]), classifier.part_probabilities(queries[1:])]
    )
    for index, (row, probability) in enumerate(zip(queries, probabilities, strict=True)):
        if probability >= threshold and (index == 0 or probabilities[0] >= context):
            vote = classifier.suicidal_score(row[None, :])
            return line_for_vote(vote, classifier.nearest_line(row))
    return None


class WordCrisisModel:
    """Naive Bayes over the stems and pairs of stems of a message: the crisis examples of
    ``crisis.toml`` against its calm examples and the FAQ's own phrasings.

    It needs no sentence encoder, so indirect danger ("ya no voy a ser problema para nadie")
    is still caught when the encoder cannot load, where the patterns alone missed about one
    crisis in five; with the encoder it is a third, independent detector. A message scores
    the sum, over its features seen at least `MIN_COUNT` times in training, of their log
    odds of crisis against calm. Counting every text is the slowest step of a start, so the
    table is kept on disk with the vectors (`vector_cache.cached_log_odds`).
    """

    MIN_COUNT = 2
    ALPHA = 1.0

    def __init__(
        self,
        crisis_texts: Sequence[str],
        calm_texts: Sequence[str],
        cache_dir: pathlib.Path | None = None,
    ) -> None:
        self._log_odds = cached_log_odds(
            crisis_texts,
            calm_texts,
            self.fit,
            f"naive bayes, stems and pairs, min count {self.MIN_COUNT}, alpha {self.ALPHA}",
            cache_dir,
            "crisis-words",
        )

    @classmethod
    def fit(cls, crisis_texts: Sequence[str], calm_texts: Sequence[str]) -> dict[str, float]:
        crisis_counts, calm_counts = Counter[str](), Counter[str]()
        for text in crisis_texts:
            crisis_counts.update(cls.features(normalize(text)))
        for text in calm_texts:
            calm_counts.update(cls.features(normalize(text)))
        crises, calms, alpha = len(crisis_texts), len(calm_texts), cls.ALPHA
        return {
            feature: math.log((crisis_counts[feature] + alpha) / (crises + 2 * alpha))
            - math.log((calm_counts[feature] + alpha) / (calms + 2 * alpha))
            for feature in crisis_counts.keys() | calm_counts.keys()
            if crisis_counts[feature] + calm_counts[feature] >= cls.MIN_COUNT
        }

    @staticmethod
    def features(normalized: str) -> set[str]:
        words = [stem(word) for word in normalized.split()]  # stop words count: "ya no"
        return {*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))}

    def score(self, normalized: str) -> float:
        """The log odds that a normalised message is a crisis (0: no evidence either way);
        sayings are read past first, as the patterns do ("me muero de sueño")."""
        features = self.features(_IDIOMS.sub(" ", normalized))
        return sum(self._log_odds.get(feature, 0.0) for feature in features)
