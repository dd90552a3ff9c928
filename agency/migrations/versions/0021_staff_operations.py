"""staff operations: talent pools, saved searches, message templates and the communication log;
clinic member roles (existing clinic logins become managers) and clinic invitation tokens

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 11:20:44

"""

import sqlalchemy as sa
from alembic import op

import agency.models.types

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_message_templates_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_message_templates_name")),
    )
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("alert", sa.Boolean(), nullable=False),
        sa.Column("alerted_until", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_saved_searches_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_saved_searches_owner_id_name")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_searches_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "talent_pools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_talent_pools_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_pools")),
        sa.UniqueConstraint("name", name=op.f("uq_talent_pools_name")),
    )
    op.create_table(
        "communications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'not_sent')", name=op.f("ck_communications_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_communications_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["talent_pools.id"],
            name=op.f("fk_communications_pool_id_talent_pools"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_communications_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_templates.id"],
            name=op.f("fk_communications_template_id_message_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communications_candidate", ["candidate_id", "created_at"], unique=False
        )

    op.create_table(
        "talent_pool_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_talent_pool_members_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_talent_pool_members_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["talent_pools.id"],
            name=op.f("fk_talent_pool_members_pool_id_talent_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_pool_members")),
        sa.UniqueConstraint(
            "pool_id", "candidate_id", name=op.f("uq_talent_pool_members_pool_id_candidate_id")
        ),
    )
    with op.batch_alter_table("talent_pool_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_talent_pool_members_candidate_id"), ["candidate_id"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clinic_role", sa.String(length=11), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_users_clinic_role_valid"), "clinic_role IN ('manager', 'viewer')"
        )
    # Every clinic login so far ran its clinic alone: each becomes a manager.
    op.execute("UPDATE users SET clinic_role = 'manager' WHERE role = 'clinic'")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_constraint(op.f("ck_auth_tokens_purpose_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_auth_tokens_purpose_valid"),
            "purpose IN ('password_reset', 'account_claim', 'clinic_invite')",
        )


def downgrade():
    op.execute("DELETE FROM auth_tokens WHERE purpose = 'clinic_invite'")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_constraint(op.f("ck_auth_tokens_purpose_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_auth_tokens_purpose_valid"), "purpose IN ('password_reset', 'account_claim')"
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_clinic_role_valid"), type_="check")
        batch_op.drop_column("clinic_role")

    with op.batch_alter_table("talent_pool_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_talent_pool_members_candidate_id"))

    op.drop_table("talent_pool_members")
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index("ix_communications_candidate")

    op.drop_table("communications")
    op.drop_table("talent_pools")
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_searches_owner_id"))

    op.drop_table("saved_searches")
    op.drop_table("message_templates")
