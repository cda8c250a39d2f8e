"""Posts remember how consent was given, and may wait for a person's review.

Revision ID: 0011_post_consent_review
Revises: 0010_dashboard_sessions
Create Date: 2026-12-01 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_post_consent_review"
down_revision: str | Sequence[str] | None = "0010_dashboard_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("consent_by", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("consent_at", TIMESTAMP, nullable=True))
        batch_op.add_column(
            sa.Column("review_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("reviewed_at", TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        for column in (
            "review_note",
            "reviewed_at",
            "review_required",
            "consent_at",
            "consent_by",
            "consent",
        ):
            batch_op.drop_column(column)
