"""Bank accounts, business emails and secure messaging

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "business_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_business_emails_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_emails")),
        sa.UniqueConstraint("company_id", name=op.f("uq_business_emails_company_id")),
    )
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("holder_name", sa.String(length=70), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("mandate_reference", sa.String(length=35), nullable=False),
        sa.Column("added_by_account_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_bank_accounts_added_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_bank_accounts_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("mandate_reference", name=op.f("uq_bank_accounts_mandate_reference")),
    )
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_bank_accounts_company", ["company_id", "id"], unique=False)
        batch_op.create_index(
            "uq_bank_accounts_company_iban",
            ["company_id", "iban"],
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.create_table(
        "business_email_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("designated_by_account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_business_email_confirmations_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["designated_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_business_email_confirmations_designated_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_email_confirmations")),
        sa.UniqueConstraint(
            "token_digest", name=op.f("uq_business_email_confirmations_token_digest")
        ),
    )
    with op.batch_alter_table("business_email_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_business_email_confirmations_company", ["company_id", "id"], unique=False
        )

    op.create_table(
        "message_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=3), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_by_account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_message_threads_closed_by_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_message_threads_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_message_threads_opened_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_threads")),
        sa.UniqueConstraint("reference", name=op.f("uq_message_threads_reference")),
    )
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.create_index("ix_message_threads_company", ["company_id", "id"], unique=False)
        batch_op.create_index(
            "ix_message_threads_office_status", ["office", "status", "id"], unique=False
        )

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_account_id", sa.Integer(), nullable=True),
        sa.Column("author_staff_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_account_id"],
            ["accounts.id"],
            name=op.f("fk_messages_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_messages_author_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_messages_thread_id_message_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_thread", ["thread_id", "id"], unique=False)

    op.create_table(
        "thread_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_thread_reads_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_thread_reads_thread_id_message_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_reads")),
        sa.UniqueConstraint(
            "thread_id", "account_id", name=op.f("uq_thread_reads_thread_id_account_id")
        ),
    )
    op.create_table(
        "message_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_attachments_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_message_attachments_message", ["message_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_attachments_sha256"), ["sha256"], unique=False)

    # A basic-mode sign-up confirmed its business email before activation: that address is the
    # company's business email from now on (the first confirmed one wins, as later ones did not
    # exist before this revision).
    op.execute(
        """
        INSERT INTO business_emails (company_id, address, confirmed_at)
        SELECT a.signup_company_id, a.business_email, a.business_email_confirmed_at
        FROM accounts a
        WHERE a.mode = 'BASIC' AND a.status = 'ACTIVE'
          AND a.signup_company_id IS NOT NULL
          AND a.business_email IS NOT NULL
          AND a.business_email_confirmed_at IS NOT NULL
          AND a.id = (
            SELECT MIN(b.id) FROM accounts b
            WHERE b.signup_company_id = a.signup_company_id AND b.mode = 'BASIC'
              AND b.status = 'ACTIVE' AND b.business_email_confirmed_at IS NOT NULL
          )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_attachments_sha256"))
        batch_op.drop_index("ix_message_attachments_message")

    op.drop_table("message_attachments")
    op.drop_table("thread_reads")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_thread")

    op.drop_table("messages")
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_message_threads_office_status")
        batch_op.drop_index("ix_message_threads_company")

    op.drop_table("message_threads")
    with op.batch_alter_table("business_email_confirmations", schema=None) as batch_op:
        batch_op.drop_index("ix_business_email_confirmations_company")

    op.drop_table("business_email_confirmations")
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bank_accounts_company_iban",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )
        batch_op.drop_index("ix_bank_accounts_company")

    op.drop_table("bank_accounts")
    op.drop_table("business_emails")
