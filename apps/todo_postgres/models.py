"""The ``tasks`` table and its JSON shape."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, String, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TITLE_MAX_LENGTH = 200


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"
    # Serves the listing order (newest first, id as tie-break) without a sort.
    __table_args__ = (Index("tasks_created_at_id_idx", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The database clock, not each instance's, so ordering is consistent across instances.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "title": self.title,
            "completed": self.completed,
            "created_at": _iso_utc(self.created_at),
            "updated_at": _iso_utc(self.updated_at),
        }


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
