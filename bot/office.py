"""The office's identity, read from `<content>/faq/office.toml`.

The same file gives the FAQ its contact block (table `[office]`); the tables `[aviso]`,
`[constancia]`, `[calendario]` and the list `dependencias` describe the rest. Texts refer to
these values by placeholder ({oficina}, {oficina_corta}, {municipio}, …), so an office
adopting the bot edits this one file and never the messages.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.content import content_dir, on_change

OFFICE_FILE = Path("faq") / "office.toml"
CONTACT_FIELDS = ("telefono", "whatsapp", "correo", "direccion", "horario", "web")


@dataclass(frozen=True)
class Signature:
    """A signature line on the constancia: a name (may be blank) over a position."""

    name: str
    role: str


@dataclass(frozen=True)
class Office:
    name: str
    short_name: str
    municipality: str
    town_hall: str
    place: str
    contact: dict[str, str]
    privacy_responsible: str
    privacy_address: str
    transparency_unit: str
    constancia_header: str
    folio_prefix: str
    signatures: tuple[Signature, ...]
    calendar_prodid: str
    calendar_organizer: str
    calendar_organizer_email: str
    calendar_uid_domain: str
    dependencies: tuple[str, ...]

    def placeholders(self) -> dict[str, str]:
        """The values every text may use by name."""
        return {name: getattr(self, field) for name, field in _PLACEHOLDER_FIELDS.items()}


_PLACEHOLDER_FIELDS = {
    "oficina": "name",
    "oficina_corta": "short_name",
    "municipio": "municipality",
    "ayuntamiento": "town_hall",
    "lugar": "place",
    "aviso_responsable": "privacy_responsible",
    "unidad_transparencia": "transparency_unit",
}
PLACEHOLDERS = frozenset(_PLACEHOLDER_FIELDS)
"""Placeholders filled from the office in every text, e.g. {oficina}."""


def read_office_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _text(table: Any, key: str) -> str:
    value = table.get(key, "") if isinstance(table, dict) else ""
    return value.strip() if isinstance(value, str) else ""


def office_from_data(data: dict[str, Any]) -> Office:
    """Builds the Office from the parsed file; missing values become empty strings."""
    office, aviso = data.get("office", {}), data.get("aviso", {})
    constancia, calendar = data.get("constancia", {}), data.get("calendario", {})
    name = _text(office, "nombre")
    signatures = tuple(
        Signature(_text(row, "nombre"), _text(row, "cargo"))
        for row in (constancia.get("firmas", []) if isinstance(constancia, dict) else [])
        if isinstance(row, dict)
    )
    listed = data.get("dependencias", {})
    dependencies = listed.get("lista", []) if isinstance(listed, dict) else []
    return Office(
        name=name,
        short_name=_text(office, "nombre_corto") or name,
        municipality=_text(office, "municipio"),
        town_hall=_text(office, "ayuntamiento"),
        place=_text(office, "lugar"),
        contact={key: _text(office, key) for key in CONTACT_FIELDS},
        privacy_responsible=_text(aviso, "responsable") or name,
        privacy_address=_text(aviso, "domicilio"),
        transparency_unit=_text(aviso, "unidad_transparencia"),
        constancia_header=_text(constancia, "encabezado") or name.upper(),
        folio_prefix=_text(constancia, "prefijo_folio"),
        signatures=signatures,
        calendar_prodid=_text(calendar, "prodid"),
        calendar_organizer=_text(calendar, "organizador") or name,
        calendar_organizer_email=_text(calendar, "correo_organizador"),
        calendar_uid_domain=_text(calendar, "dominio_uid") or "defensoria-bot",
        dependencies=tuple(str(item).strip() for item in dependencies if str(item).strip()),
    )


@cache
def office() -> Office:
    """The office of the content folder in use (read once)."""
    return office_from_data(read_office_toml(content_dir() / OFFICE_FILE))


on_change(office.cache_clear)
