"""A post's `video_url`: the URL a video came from (imported, or pulled by TikTok itself).

Revision ID: 0006_post_video_url
Revises: 0005_photos
Create Date: 2026-11-23 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_post_video_url"
down_revision: str | Sequence[str] | None = "0005_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("video_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("video_url")
