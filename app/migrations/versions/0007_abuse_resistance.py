"""Abuse resistance: canonical email keys, parallel basic sign-ups, outbox counters

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 11:30:00

- `accounts.email_key` becomes the IDNA form of the domain and an ASCII-only case fold of the
  local part (full Unicode case folding merged distinct addresses); existing keys are recomputed.
- A confirmed basic sign-up no longer blocks a later one for the same company: the unique index on
  pending sign-ups per company goes (the posted code decides who wins).
- The outbox remembers who caused each message and a canonical recipient key, so that letters per
  account and per company, and emails per recipient, can be counted.
- A cancelled service request keeps its cancellation time, which starts the cool-down.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.notifications.addresses import email_key

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_PENDING_SQL = "status IN ('PENDING_EMAIL_CONFIRMATION', 'PENDING_ACTIVATION')"


def upgrade() -> None:
    connection = op.get_bind()
    accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("email", sa.String))
    for account_id, email in connection.execute(sa.select(accounts.c.id, accounts.c.email)).all():
        connection.execute(
            sa.text("UPDATE accounts SET email_key = :key WHERE id = :id"),
            {"key": email_key(email), "id": account_id},
        )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("uq_accounts_pending_signup_company")

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_key", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("requested_by_account_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_outbox_messages_recipient_key_created_at",
            ["kind", "recipient_key", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_outbox_messages_requested_by_created_at",
            ["kind", "requested_by_account_id", "created_at"],
            unique=False,
        )
    outbox = sa.table(
        "outbox_messages",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("recipient", sa.String),
    )
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.kind, outbox.c.recipient)).all()
    for message_id, kind, recipient in rows:
        key = email_key(recipient) if kind == "EMAIL" else recipient
        connection.execute(
            sa.text("UPDATE outbox_messages SET recipient_key = :key WHERE id = :id"),
            {"key": key, "id": message_id},
        )

    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_requested_by_created_at")
        batch_op.drop_index("ix_outbox_messages_recipient_key_created_at")
        batch_op.drop_column("requested_by_account_id")
        batch_op.drop_column("recipient_key")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_accounts_pending_signup_company",
            ["signup_company_id"],
            unique=True,
            sqlite_where=sa.text(_PENDING_SQL),
            postgresql_where=sa.text(_PENDING_SQL),
        )
