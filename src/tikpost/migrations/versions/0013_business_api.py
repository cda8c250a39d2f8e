"""TikTok's API for Business: which API an account, a pending connection and a post go
through, and a post's commercial sound.

Revision ID: 0013_business_api
Revises: 0012_compat
Create Date: 2026-12-01 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_business_api"
down_revision: str | Sequence[str] | None = "0012_compat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("accounts", "oauth_states", "posts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("api", sa.String(16), nullable=False, server_default="content_posting")
            )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sound", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("sound")
    for table in ("posts", "oauth_states", "accounts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("api")
