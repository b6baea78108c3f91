"""Special service requests

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "special_service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("requester_account_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_special_service_requests_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_account_id"],
            ["accounts.id"],
            name=op.f("fk_special_service_requests_requester_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_special_service_requests_decided_by_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_service_requests")),
    )
    with op.batch_alter_table("special_service_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_special_service_requests_status_id", ["status", "id"], unique=False
        )
        batch_op.create_index(
            "uq_special_service_requests_pending",
            ["company_id", "service_code"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )


def downgrade() -> None:
    op.drop_table("special_service_requests")
