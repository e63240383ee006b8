"""Version 2 of the shared tables: escalation of human tasks left past their due time.

Frozen like version 1; both services' second migrations run it.
"""

from alembic import op


def upgrade() -> None:
    op.execute("ALTER TABLE human_task ADD COLUMN escalated_at timestamptz")
    op.execute(
        """
        CREATE INDEX human_task_overdue ON human_task (due_at)
            WHERE state IN ('open', 'claimed') AND escalated_at IS NULL
        """
    )


def downgrade() -> None:
    op.execute("DROP INDEX human_task_overdue")
    op.execute("ALTER TABLE human_task DROP COLUMN escalated_at")
