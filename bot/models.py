"""The database schema: talks, servants, enrollments and the notification outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum_class: type[StrEnum], length: int = 20) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _new_uid() -> str:
    return uuid.uuid4().hex


class Modality(StrEnum):
    VIRTUAL = "virtual"
    PRESENCIAL = "presencial"


class TalkStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class EnrollmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class TalkTimes:
    """When a talk ends, whether it was cancelled or has started: shared by the ORM row and
    the snapshot the servants' screens read (`bot.services.talks.TalkSnapshot`)."""

    __slots__ = ()
    starts_at: datetime
    duration_min: int
    status: TalkStatus

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_min)

    @property
    def is_cancelled(self) -> bool:
        return self.status == TalkStatus.CANCELLED

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at


class Talk(TalkTimes, Base):
    __tablename__ = "talks"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    speaker: Mapped[str] = mapped_column(String(200))
    organizer: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_min: Mapped[int] = mapped_column(Integer)
    modality: Mapped[Modality] = mapped_column(_enum(Modality))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    venue: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[TalkStatus] = mapped_column(_enum(TalkStatus), default=TalkStatus.SCHEDULED)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped on every change a calendar must see (iCalendar SEQUENCE)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Servant(Base):
    """A public servant who accepted the privacy notice. No row exists before that."""

    __tablename__ = "servants"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    privacy_version: Mapped[str] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    full_name: Mapped[str | None] = mapped_column(String(120))
    dependency: Mapped[str | None] = mapped_column(String(160))
    email: Mapped[str | None] = mapped_column(String(254))
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set when Telegram says the servant blocked the bot; no more messages are tried."""
    notices_opt_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set by /sin_avisos: no general notices (reminders of chosen talks still arrive)."""
    awaiting_reply_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set while a conversation step waits for something the servant types (a name, an
    e-mail, a comment): free text then is an answer, never logged as an FAQ question. Kept
    in the database because a restart forgets the conversation but not this."""
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set when the servant deleted their data but had taken part in talks: the row stays,
    stripped of everything that identifies them, so the office's figures keep counting that
    participation (see `servants.delete_servant_data`)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def has_profile(self) -> bool:
        return bool(self.full_name and self.dependency)


class Enrollment(Base):
    """A servant's place in a talk: a seat, a place in line, or a cancelled one.

    `queued_at` orders the waiting list; it is reset whenever the servant (re)joins it.
    """

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("talk_id", "servant_id"),
        Index("ix_enrollments_talk_status_queue", "talk_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    servant_id: Mapped[int] = mapped_column(
        ForeignKey("servants.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[EnrollmentStatus] = mapped_column(_enum(EnrollmentStatus))
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=_new_uid)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_source: Mapped[str | None] = mapped_column(String(20))
    """How attendance was recorded: "code" (the servant sent the session code), "import"
    (the video platform's participant list) or "staff"."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    talk: Mapped[Talk] = relationship(lazy="raise")
    servant: Mapped[Servant] = relationship(lazy="raise")


class DeliveryKind(StrEnum):
    REMINDER = "reminder"
    PROMOTED = "promoted"
    RESCHEDULED = "rescheduled"
    TALK_CANCELLED = "talk_cancelled"
    NOTICE = "notice"
    CONSTANCIA = "constancia"
    SURVEY = "survey"
    RETENTION = "retention"
    """The notice that the servant's data is deleted in 30 days (bot.services.retention)."""


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    MISSED = "missed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_DELIVERY_STATES = frozenset(
    {
        DeliveryState.SENT,
        DeliveryState.SKIPPED,
        DeliveryState.MISSED,
        DeliveryState.FAILED,
        DeliveryState.CANCELLED,
    }
)


class Delivery(Base):
    """A message the bot owes a servant — a reminder or a notice — kept until it ends.

    This is the durable outbox: rows are written in the same transaction as the change
    they announce, and the sender job claims and sends them, so nothing that must happen
    lives only in memory. Reminders are unique per enrollment and offset.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "kind", "offset_minutes"),
        UniqueConstraint("notice_id", "servant_id"),
        Index("ix_deliveries_state_next_attempt", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeliveryKind] = mapped_column(_enum(DeliveryKind))
    servant_id: Mapped[int] = mapped_column(
        ForeignKey("servants.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    offset_minutes: Mapped[int | None] = mapped_column(Integer)
    """Reminders: minutes before the start. Once-only messages about an enrollment (the
    constancia, the survey) use 0, so the unique constraint keeps them single."""
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[DeliveryState] = mapped_column(_enum(DeliveryState))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300))
    """Why it was skipped, missed or cancelled, or the last error."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    servant: Mapped[Servant] = relationship(lazy="raise")
    enrollment: Mapped[Enrollment | None] = relationship(lazy="raise")
    notice: Mapped[Notice | None] = relationship(lazy="raise")


class UnansweredQuestion(Base):
    """A question the FAQ had no confident answer for, stored redacted (no e-mails, phones,
    CURP/RFC or long numbers) and grouped by its normalised words; never who asked."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    normalized: Mapped[str] = mapped_column(String(500), unique=True)
    sample: Mapped[str] = mapped_column(String(500))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnansweredAsker(Base):
    """One distinct asker of an unanswered question, as a keyed hash scoped to that question
    (so two questions' askers cannot be linked to each other); deleted with the question."""

    __tablename__ = "unanswered_askers"
    __table_args__ = (UniqueConstraint("question_id", "asker_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("unanswered_questions.id", ondelete="CASCADE")
    )
    asker_hash: Mapped[str] = mapped_column(String(64))


class FaqFeedback(Base):
    """A 👍/👎 on an answer: one per voter and entry (`voter_hash`, a keyed hash scoped to
    the entry, never the Telegram id). Votes from before the hash existed have none."""

    __tablename__ = "faq_feedback"
    __table_args__ = (UniqueConstraint("entry_id", "voter_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(60), index=True)
    voter_hash: Mapped[str | None] = mapped_column(String(64))
    helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaughtPhrasing(Base):
    """A question staff attached to an FAQ entry from /pendientes: the engine indexes it as
    one more way of asking that entry. The text is the redacted one; one entry per text."""

    __tablename__ = "faq_taught_phrasings"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(60), index=True)
    text: Mapped[str] = mapped_column(String(500))
    normalized: Mapped[str] = mapped_column(String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InstallationSecret(Base):
    """Random values made once per database, such as the salt of the askers' hashes."""

    __tablename__ = "installation_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoticeAudience(StrEnum):
    TALK = "talk"
    ALL = "all"


class Notice(Base):
    """A message from the office to the enrolled of one talk, or to every servant.

    One `Delivery` row per recipient is written when the notice is sent (unique per notice
    and servant), so a restart resumes it and nobody gets it twice.
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[NoticeAudience] = mapped_column(_enum(NoticeAudience))
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AttendanceWindow(Base):
    """A short code read aloud during a virtual talk; valid between opens_at and closes_at."""

    __tablename__ = "attendance_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(BigInteger)


class Constancia(Base):
    """A certificate of participation. Name, talk and date are copied at issue time so the
    verification still shows what the PDF said."""

    __tablename__ = "constancias"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), unique=True
    )
    folio: Mapped[str] = mapped_column(String(40), unique=True)
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    talk_title: Mapped[str] = mapped_column(String(200))
    talk_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_min: Mapped[int] = mapped_column(Integer)
    organizer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyResponse(Base):
    """The 1–5 answer (and optional comment) of an attendee about a talk; one per enrollment."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), unique=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who on the staff did what, and when. Details never hold a servant's personal data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
