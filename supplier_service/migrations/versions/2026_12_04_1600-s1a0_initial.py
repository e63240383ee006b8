"""Initial schema of the supplier service.

Revision ID: s1a0
Revises:
Create Date: 2026-12-04 16:00
"""

from alembic import op

from shared.migration_steps import infra_v1

revision = "s1a0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    infra_v1.upgrade()
    op.execute(
        """
        CREATE TABLE products (
            product_id integer PRIMARY KEY,
            product_name text NOT NULL,
            category text,
            maker text,
            quantity_per_unit text,
            unit_price numeric(14, 4) NOT NULL CHECK (unit_price >= 0),
            units_in_stock integer NOT NULL,
            units_on_order integer NOT NULL,
            reorder_level integer NOT NULL,
            discontinued boolean NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE orders (
            id uuid PRIMARY KEY,
            customer_id text NOT NULL,
            customer_name text NOT NULL,
            customer_city text,
            customer_country text,
            state text NOT NULL,
            current_element text NOT NULL,
            requested_delivery_date date,
            placed_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            ended_at timestamptz,
            end_reason text,
            quote_id uuid,
            quote_subtotal numeric(16, 2),
            quote_discount_total numeric(16, 2),
            quote_total numeric(16, 2),
            quote_issued_at timestamptz,
            quote_valid_until timestamptz
        )
        """
    )
    op.execute("CREATE INDEX orders_state_placed ON orders (state, placed_at, id)")
    op.execute("CREATE INDEX orders_customer ON orders (customer_id, placed_at)")
    op.execute(
        "CREATE INDEX orders_quoting ON orders (updated_at) WHERE state = 'quoting'"
    )
    op.execute(
        """
        CREATE TABLE order_lines (
            order_id uuid NOT NULL REFERENCES orders (id),
            line_no integer NOT NULL,
            product_id integer NOT NULL,
            quantity integer NOT NULL CHECK (quantity > 0),
            requested_unit_price numeric(14, 4),
            discount numeric(5, 4) NOT NULL DEFAULT 0,
            PRIMARY KEY (order_id, line_no)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE quote_lines (
            order_id uuid NOT NULL REFERENCES orders (id),
            line_no integer NOT NULL,
            product_id integer NOT NULL REFERENCES products (product_id),
            product_name text NOT NULL,
            quantity integer NOT NULL,
            unit_price numeric(14, 4) NOT NULL,
            discount numeric(5, 4) NOT NULL,
            line_total numeric(16, 2) NOT NULL,
            PRIMARY KEY (order_id, line_no)
        )
        """
    )


def downgrade() -> None:
    for table in ("quote_lines", "order_lines", "orders", "products"):
        op.execute(f"DROP TABLE {table}")
    infra_v1.downgrade()
