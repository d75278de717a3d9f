"""Business rules. Services take an AsyncSession and plain values, never a Telegram object,
and never commit: the caller owns the unit of work."""
