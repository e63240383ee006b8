"""Escalation of overdue human tasks.

Revision ID: c1a1
Revises: c1a0
Create Date: 2026-12-04 17:00
"""

from shared.migration_steps import infra_v2

revision = "c1a1"
down_revision = "c1a0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    infra_v2.upgrade()


def downgrade() -> None:
    infra_v2.downgrade()
