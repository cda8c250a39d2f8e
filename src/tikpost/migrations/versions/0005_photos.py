"""Photo carousels on posts: the kind of media, the photos in order, and photo-only fields.

Revision ID: 0005_photos
Revises: 0004_posts
Create Date: 2026-11-23 12:17:29.055815
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_photos"
down_revision: str | Sequence[str] | None = "0004_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("media_type", sa.String(length=8), server_default="video", nullable=False)
        )
        batch_op.add_column(sa.Column("photos", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("photo_cover_index", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("auto_add_music", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("auto_add_music")
        batch_op.drop_column("description")
        batch_op.drop_column("photo_cover_index")
        batch_op.drop_column("photos")
        batch_op.drop_column("media_type")
