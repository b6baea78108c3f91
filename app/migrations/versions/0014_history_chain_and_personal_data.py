"""History hash chain, login email changes, email preferences and unsubscribe links

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 15:00:00
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from app.audit.chain import GENESIS, canonical, content
from app.models import AuditEvent

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_email_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("new_email", sa.String(length=320), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_login_email_changes_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_email_changes")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_login_email_changes_token_digest")),
    )
    with op.batch_alter_table("login_email_changes", schema=None) as batch_op:
        batch_op.create_index("ix_login_email_changes_account", ["account_id", "id"], unique=False)

    op.create_table(
        "unsubscribe_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_unsubscribe_links_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscribe_links")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_unsubscribe_links_token_digest")),
    )
    with op.batch_alter_table("unsubscribe_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unsubscribe_links_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "general_information_emails",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )

    # Plain ALTER TABLE (no batch copy on SQLite): the append-only triggers stay.
    op.add_column("audit_events", sa.Column("sequence", sa.BigInteger(), nullable=True))
    op.add_column("audit_events", sa.Column("previous_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index("uq_audit_events_sequence", "audit_events", ["sequence"], unique=True)
    _chain_existing_events()

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))


def _chain_existing_events() -> None:
    """Chain the events recorded before this revision, in the order they were written."""
    bind = op.get_bind()
    table = AuditEvent.__table__
    # The columns the hash covers as of this revision (not the whole model, which may grow).
    columns = [
        table.c[name]
        for name in (
            "id",
            "occurred_at",
            "kind",
            "actor_account_id",
            "actor_staff_id",
            "subject_account_id",
            "company_id",
            "ip",
            "user_agent",
            "details",
        )
    ]
    rows = bind.execute(sa.select(*columns).order_by(table.c.id)).all()
    if not rows:
        return
    sqlite = bind.dialect.name == "sqlite"
    # The triggers refuse any UPDATE: lifted for this one chaining, then put back.
    if sqlite:
        op.execute("DROP TRIGGER audit_events_no_update")
    else:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    previous = GENESIS
    for position, row in enumerate(rows, start=1):
        chained = SimpleNamespace(
            **{**row._asdict(), "sequence": position, "previous_hash": previous}
        )
        previous = hashlib.sha256(canonical(content(chained))).hexdigest()
        bind.execute(
            table.update()
            .where(table.c.id == row.id)
            .values(sequence=position, previous_hash=chained.previous_hash, hash=previous)
        )
    if sqlite:
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
    else:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("headers")

    op.drop_index("uq_audit_events_sequence", table_name="audit_events")
    # The columns stay on downgrade: dropping them would rebuild the table past its triggers.

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("general_information_emails")

    with op.batch_alter_table("unsubscribe_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unsubscribe_links_account_id"))

    op.drop_table("unsubscribe_links")
    with op.batch_alter_table("login_email_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_login_email_changes_account")

    op.drop_table("login_email_changes")
