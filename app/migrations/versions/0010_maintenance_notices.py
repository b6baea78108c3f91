"""Maintenance notices

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("service_codes", sa.JSON(), nullable=False),
        sa.Column("scheduled_by_staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_notices")),
    )
    with op.batch_alter_table("maintenance_notices", schema=None) as batch_op:
        batch_op.create_index("ix_maintenance_notices_ends_at", ["ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("maintenance_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_maintenance_notices_ends_at")
    op.drop_table("maintenance_notices")
