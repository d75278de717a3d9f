"""What the outbox's sender sends: the renderer of every delivery kind, and who hears about
each batch. `bot/app.py` hands both to the sender; nothing here is filled at import time."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.models import DeliveryKind
from bot.outbox.message import Renderer
from bot.outbox.sender import BatchListener
from handlers import constancias, notices, retention, survey
from handlers.staff import broadcast

RENDERERS: Mapping[DeliveryKind, Renderer] = MappingProxyType(
    {
        DeliveryKind.REMINDER: notices.render_enrollment_message,
        DeliveryKind.PROMOTED: notices.render_enrollment_message,
        DeliveryKind.RESCHEDULED: notices.render_enrollment_message,
        DeliveryKind.TALK_CANCELLED: notices.render_enrollment_message,
        DeliveryKind.NOTICE: broadcast.render_notice,
        DeliveryKind.CONSTANCIA: constancias.render_constancia_delivery,
        DeliveryKind.SURVEY: survey.render_survey_delivery,
        DeliveryKind.RETENTION: retention.render_retention_notice,
    }
)

BATCH_LISTENERS: tuple[BatchListener, ...] = (broadcast.report_progress,)
"""A notice's progress message and final report follow the sender's batches."""
