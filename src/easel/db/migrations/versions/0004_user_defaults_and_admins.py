"""user default models and admins

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_admin", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("default_models", sa.JSON(), nullable=True))
    # An existing studio's first user (the `admin` made on first start) becomes its admin.
    users = sa.table(
        "users", sa.column("id", sa.String), sa.column("created_at"), sa.column("is_admin")
    )
    first = sa.select(users.c.id).order_by(users.c.created_at, users.c.id).limit(1)
    op.execute(users.update().where(users.c.id == first.scalar_subquery()).values(is_admin=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("default_models")
        batch_op.drop_column("is_admin")
