"""Query-cost budgets: points each caller spent in its current hour

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cost_budgets",
        sa.Column("caller_key", sa.String(length=128), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("caller_key", name=op.f("pk_cost_budgets")),
    )


def downgrade() -> None:
    op.drop_table("cost_budgets")
