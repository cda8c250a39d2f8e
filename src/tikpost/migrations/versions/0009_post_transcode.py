"""Posts may transcode their video for TikTok, and remember the media that made.

Revision ID: 0009_post_transcode
Revises: 0008_executors_fence
Create Date: 2026-11-23 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_post_transcode"
down_revision: str | Sequence[str] | None = "0008_executors_fence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_posts_transcoded_media_id_media"


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transcode", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("transcoded_media_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            FOREIGN_KEY, "media", ["transcoded_media_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_column("transcoded_media_id")
        batch_op.drop_column("transcode")
