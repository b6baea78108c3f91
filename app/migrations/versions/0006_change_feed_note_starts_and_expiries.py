"""Change feed: note starts and expiries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 19:25:35.531991
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_noted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("end_noted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_column("end_noted_at")
        batch_op.drop_column("start_noted_at")
