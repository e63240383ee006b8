"""Version 1 of the tables every service keeps (outbox, inbox, history, tasks).

Both services' first migrations run this step in their own schema. It is frozen:
a later change to these tables is a new step, called by new migrations.
"""

from alembic import op

STATEMENTS = [
    """
    CREATE TABLE outbox_message (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        order_id uuid NOT NULL,
        event_type text NOT NULL,
        body text NOT NULL,
        state text NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        bursts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        delivered_at timestamptz,
        last_status integer,
        last_error text
    )
    """,
    "CREATE INDEX outbox_message_order_seq ON outbox_message (order_id, seq)",
    """
    CREATE INDEX outbox_message_due ON outbox_message (seq)
        WHERE state = 'pending'
    """,
    """
    CREATE INDEX outbox_message_failed ON outbox_message (seq)
        WHERE state = 'failed'
    """,
    """
    CREATE TABLE delivery_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id text NOT NULL REFERENCES outbox_message (id),
        attempt_no integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms double precision NOT NULL,
        status_code integer,
        error text
    )
    """,
    """
    CREATE INDEX delivery_attempt_message
        ON delivery_attempt (message_id, attempt_no)
    """,
    """
    CREATE TABLE inbox_message (
        message_id text PRIMARY KEY,
        event_type text NOT NULL,
        order_id uuid NOT NULL,
        received_at timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE process_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id uuid NOT NULL,
        at timestamptz NOT NULL,
        from_state text,
        to_state text,
        element_ids text[] NOT NULL,
        cause text NOT NULL,
        actor text,
        detail jsonb
    )
    """,
    "CREATE INDEX process_history_order ON process_history (order_id, id)",
    """
    CREATE TABLE human_task (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL,
        task_type text NOT NULL,
        element_id text NOT NULL,
        state text NOT NULL
            CHECK (state IN ('open', 'claimed', 'completed', 'cancelled')),
        candidate_role text NOT NULL,
        assignee text,
        priority integer NOT NULL DEFAULT 50,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        due_at timestamptz,
        claimed_at timestamptz,
        completed_at timestamptz,
        completed_by text,
        decision text,
        comment text,
        form jsonb NOT NULL
    )
    """,
    "CREATE INDEX human_task_inbox ON human_task (state, task_type, created_at)",
    "CREATE INDEX human_task_order ON human_task (order_id)",
    """
    CREATE UNIQUE INDEX human_task_one_open_per_type
        ON human_task (order_id, task_type)
        WHERE state IN ('open', 'claimed')
    """,
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "human_task",
        "process_history",
        "inbox_message",
        "delivery_attempt",
        "outbox_message",
    ):
        op.execute(f"DROP TABLE {table}")
