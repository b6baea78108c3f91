"""Accounts, company directory and roles, sessions, throttling, outbox and history.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 17:55:26.783529
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("idsp", sa.String(length=10), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("legal_form", sa.String(length=8), nullable=True),
        sa.Column("administrative_status", sa.String(length=1), nullable=True),
        sa.Column("address_complement", sa.String(length=255), nullable=True),
        sa.Column("street_number", sa.String(length=16), nullable=True),
        sa.Column("street_repetition", sa.String(length=8), nullable=True),
        sa.Column("street_type", sa.String(length=16), nullable=True),
        sa.Column("street_name", sa.String(length=255), nullable=True),
        sa.Column("postal_code", sa.String(length=16), nullable=True),
        sa.Column("city", sa.String(length=255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("siren", name=op.f("uq_companies_siren")),
        sa.UniqueConstraint("idsp", name=op.f("uq_companies_idsp")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("letter", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_messages_message_id")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_due", ["delivered_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limit_hits_key_at", ["key", "at"], unique=False)

    op.create_table(
        "throttle_states",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_states")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("signup_company_id", sa.Integer(), nullable=True),
        sa.Column("business_email", sa.String(length=320), nullable=True),
        sa.Column("business_email_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("setup_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["signup_company_id"],
            ["companies.id"],
            name=op.f("fk_accounts_signup_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("registration_number", name=op.f("uq_accounts_registration_number")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_email_key"), ["email_key"], unique=False)
        batch_op.create_index(
            "uq_accounts_live_email",
            ["email_key"],
            unique=True,
            sqlite_where=sa.text("status != 'EXPIRED'"),
            postgresql_where=sa.text("status != 'EXPIRED'"),
        )
        batch_op.create_index(
            "uq_accounts_pending_signup_company",
            ["signup_company_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('PENDING_EMAIL_CONFIRMATION', 'PENDING_ACTIVATION')"),
            postgresql_where=sa.text(
                "status IN ('PENDING_EMAIL_CONFIRMATION', 'PENDING_ACTIVATION')"
            ),
        )

    op.create_table(
        "company_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_company_services_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_services")),
        sa.UniqueConstraint(
            "company_id", "service_code", name=op.f("uq_company_services_company_id_service_code")
        ),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("subject_account_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["accounts.id"],
            name=op.f("fk_audit_events_actor_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_audit_events_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["subject_account_id"],
            ["accounts.id"],
            name=op.f("fk_audit_events_subject_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_subject_account_id"), ["subject_account_id"], unique=False
        )

    op.create_table(
        "company_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_company_roles_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_company_roles_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_roles")),
        sa.UniqueConstraint(
            "company_id", "account_id", name=op.f("uq_company_roles_company_id_account_id")
        ),
    )
    with op.batch_alter_table("company_roles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_company_roles_account", ["account_id", "company_id"], unique=False
        )
        batch_op.create_index("ix_company_roles_account_page", ["account_id", "id"], unique=False)
        batch_op.create_index(
            "uq_company_roles_principal",
            ["company_id"],
            unique=True,
            sqlite_where=sa.text("role = 'PRINCIPAL_ADMINISTRATOR'"),
            postgresql_where=sa.text("role = 'PRINCIPAL_ADMINISTRATOR'"),
        )

    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_one_time_codes_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
        sa.UniqueConstraint("secret_digest", name=op.f("uq_one_time_codes_secret_digest")),
    )
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_one_time_codes_account_purpose", ["account_id", "purpose"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_sessions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_sessions_token_digest")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_account_id"), ["account_id"], unique=False)

    _make_history_append_only()


APPEND_ONLY_MESSAGE = "audit_events is append-only"


def _make_history_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{action.lower()} BEFORE {action} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_refuse_change()")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_account_id"))

    op.drop_table("sessions")
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_one_time_codes_account_purpose")

    op.drop_table("one_time_codes")
    with op.batch_alter_table("company_roles", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_company_roles_principal",
            sqlite_where=sa.text("role = 'PRINCIPAL_ADMINISTRATOR'"),
            postgresql_where=sa.text("role = 'PRINCIPAL_ADMINISTRATOR'"),
        )
        batch_op.drop_index("ix_company_roles_account")

    op.drop_table("company_roles")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_account_id"))

    op.drop_table("audit_events")
    op.drop_table("company_services")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_accounts_pending_signup_company",
            sqlite_where=sa.text("status IN ('PENDING_EMAIL_CONFIRMATION', 'PENDING_ACTIVATION')"),
            postgresql_where=sa.text(
                "status IN ('PENDING_EMAIL_CONFIRMATION', 'PENDING_ACTIVATION')"
            ),
        )
        batch_op.drop_index(
            "uq_accounts_live_email",
            sqlite_where=sa.text("status != 'EXPIRED'"),
            postgresql_where=sa.text("status != 'EXPIRED'"),
        )
        batch_op.drop_index(batch_op.f("ix_accounts_email_key"))

    op.drop_table("accounts")
    op.drop_table("throttle_states")
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_hits_key_at")

    op.drop_table("rate_limit_hits")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")

    op.drop_table("outbox_messages")
    op.drop_table("companies")
