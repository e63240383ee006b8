"""Version 4 of the shared tables: indexes the dashboards read through.

Frozen like the earlier steps; both services' fourth migrations run it. The
orders tables are the services' own, so their indexes live in each service's
revision, not here.
"""

from alembic import op


def upgrade() -> None:
    # Analytics reads every task, message and attempt of the orders in a range
    # through order_id; these cover the reads without touching the heap's order.
    op.execute(
        "CREATE INDEX human_task_order_times ON human_task "
        "(order_id, task_type, created_at, claimed_at, completed_at)"
    )
    op.execute(
        "CREATE INDEX process_history_order_at ON process_history (order_id, at, id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX process_history_order_at")
    op.execute("DROP INDEX human_task_order_times")
