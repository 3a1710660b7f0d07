"""The ``tasks`` table and its JSON shape.

SQLAlchemy Core, not the ORM: every request is one statement on plain rows, and the
ORM's identity map and instance building cost more CPU than the rest of the request.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, RowMapping, String, Table, Uuid, func

TITLE_MAX_LENGTH = 200

metadata = MetaData()

tasks = Table(
    "tasks",
    metadata,
    Column("id", Uuid, primary_key=True, default=uuid.uuid4),
    Column("title", String(TITLE_MAX_LENGTH), nullable=False),
    Column("completed", Boolean, nullable=False, default=False),
    # The database clock, not each instance's, so ordering is consistent across instances.
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Serves the listing order (newest first, id as tie-break) without a sort.
    Index("tasks_created_at_id_idx", "created_at", "id"),
)


def task_json(row: RowMapping) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "completed": row["completed"],
        "created_at": _iso_utc(row["created_at"]),
        "updated_at": _iso_utc(row["updated_at"]),
    }


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
