"""Version 3 of the shared tables: the users who may log in to a service.

Frozen like the earlier steps; both services' third migrations run it.
"""

from alembic import op


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE users (
            username text PRIMARY KEY,
            password_hash text NOT NULL,
            roles text[] NOT NULL,
            disabled boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE users")
