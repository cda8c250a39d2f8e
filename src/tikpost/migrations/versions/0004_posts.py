"""Posts and their timelines.

Revision ID: 0004_posts
Revises: 0003_webhooks
Create Date: 2026-11-23 11:43:01.932951
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_posts"
down_revision: str | Sequence[str] | None = "0003_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("media_id", sa.String(length=40), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("privacy_level", sa.String(length=32), nullable=True),
        sa.Column("disable_comment", sa.Boolean(), nullable=False),
        sa.Column("disable_duet", sa.Boolean(), nullable=False),
        sa.Column("disable_stitch", sa.Boolean(), nullable=False),
        sa.Column("brand_organic_toggle", sa.Boolean(), nullable=False),
        sa.Column("brand_content_toggle", sa.Boolean(), nullable=False),
        sa.Column("is_aigc", sa.Boolean(), nullable=False),
        sa.Column("video_cover_timestamp_ms", sa.Integer(), nullable=True),
        sa.Column("scheduled_at", TIMESTAMP, nullable=True),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("publish_id", sa.String(length=64), nullable=True),
        sa.Column("upload_url", sa.Text(), nullable=True),
        sa.Column("uploaded_bytes", sa.BigInteger(), nullable=False),
        sa.Column("tiktok_post_id", sa.String(length=64), nullable=True),
        sa.Column("post_url", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("fail_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_posts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["media_id"], ["media.id"], name=op.f("fk_posts_media_id_media"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_posts_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint(
            "team_id", "idempotency_key", name=op.f("uq_posts_team_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_posts_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_posts_team_id"), ["team_id"], unique=False)

    op.create_table(
        "post_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("post_id", sa.String(length=40), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_events_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_events")),
    )
    with op.batch_alter_table("post_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_events_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_events_post_id"))

    op.drop_table("post_events")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_team_id"))
        batch_op.drop_index(batch_op.f("ix_posts_status"))
        batch_op.drop_index(batch_op.f("ix_posts_account_id"))

    op.drop_table("posts")
