"""operations and lineage

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_inputs",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_inputs_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["images.sha256"],
            name=op.f("fk_job_inputs_sha256_images"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_job_inputs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "role", "position", name=op.f("pk_job_inputs")),
    )
    with op.batch_alter_table("job_inputs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_inputs_sha256"), ["sha256"], unique=False)
        batch_op.create_index("ix_job_inputs_user_id_sha256", ["user_id", "sha256"], unique=False)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("operation", sa.String(length=24), server_default="generate", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("operation")
    with op.batch_alter_table("job_inputs", schema=None) as batch_op:
        batch_op.drop_index("ix_job_inputs_user_id_sha256")
        batch_op.drop_index(batch_op.f("ix_job_inputs_sha256"))
    op.drop_table("job_inputs")
