"""Posts say what to do at TikTok's daily cap: wait (the default) or fail.

Revision ID: 0007_post_on_cap
Revises: 0006_post_video_url
Create Date: 2026-11-23 13:02:53.723823
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_post_on_cap"
down_revision: str | Sequence[str] | None = "0006_post_video_url"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_cap", sa.String(length=8), server_default="wait", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("on_cap")
