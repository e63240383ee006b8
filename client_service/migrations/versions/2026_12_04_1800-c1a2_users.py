"""Users who may log in.

Revision ID: c1a2
Revises: c1a1
Create Date: 2026-12-04 18:00
"""

from shared.migration_steps import infra_v3

revision = "c1a2"
down_revision = "c1a1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    infra_v3.upgrade()


def downgrade() -> None:
    infra_v3.downgrade()
