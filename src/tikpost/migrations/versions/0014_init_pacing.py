"""The times of an account's last inits at TikTok, which its posts' workflows pace themselves
by (posts.publish.pacing), instead of a DBOS rate limiter on the publish queue.

Revision ID: 0014_init_pacing
Revises: 0013_business_api
Create Date: 2026-12-01 23:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_init_pacing"
down_revision: str | Sequence[str] | None = "0013_business_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("init_times", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("init_times")
