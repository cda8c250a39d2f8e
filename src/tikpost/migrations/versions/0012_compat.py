"""What the hosted APIs' compatibility needs: an account's default privacy, why a post is held,
where a connect started by another app returns to, and presigned upload slots.

Revision ID: 0012_compat
Revises: 0011_post_consent_review
Create Date: 2026-12-01 14:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_compat"
down_revision: str | Sequence[str] | None = "0011_post_consent_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_privacy_level", sa.String(40), nullable=True))
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_reason", sa.String(64), nullable=True))
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("app_redirect_uri", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("app_cancel_uri", sa.Text(), nullable=True))
    op.create_table(
        "upload_slots",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("team_id", sa.String(40), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("claimed_at", TIMESTAMP, nullable=True),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.Column("media_id", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_upload_slots_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_upload_slots_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_slots")),
    )
    op.create_index(op.f("ix_upload_slots_team_id"), "upload_slots", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_upload_slots_team_id"), table_name="upload_slots")
    op.drop_table("upload_slots")
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_column("app_cancel_uri")
        batch_op.drop_column("app_redirect_uri")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("review_reason")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("default_privacy_level")
