"""Indexes for the dashboards: orders by time, element and total.

Revision ID: s1a3
Revises: s1a2
Create Date: 2026-12-04 19:00
"""

from alembic import op

from shared.migration_steps import infra_v4

revision = "s1a3"
down_revision = "s1a2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    infra_v4.upgrade()
    # Instance lists page by placement time; analytics filters every figure by it.
    op.execute("CREATE INDEX orders_placed ON orders (placed_at, id)")
    # The diagram counts the instances waiting at each element.
    op.execute("CREATE INDEX orders_current_element ON orders (current_element)")
    # The instance list sorts by quote total with a cursor.
    op.execute("CREATE INDEX orders_quote_total ON orders (quote_total, id)")


def downgrade() -> None:
    op.execute("DROP INDEX orders_quote_total")
    op.execute("DROP INDEX orders_current_element")
    op.execute("DROP INDEX orders_placed")
    infra_v4.downgrade()
