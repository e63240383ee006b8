"""The client (buyer) service."""

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from client_service.customers.routes import router as customers_router
from client_service.customers.seed import load_customers
from client_service.models import SCHEMA
from client_service.orders.routes import router as orders_router
from client_service.orders.service import repository as order_repository
from client_service.orders.web import ORDER_FORM
from client_service.process import PROCESS
from client_service.settings import ClientSettings
from client_service.tasks import complete_task
from client_service.timers import expire_quotes, seconds_until_next_expiry
from client_service.webhooks import HANDLERS
from shared.app import ServiceSpec, create_service_app
from shared.background import Job
from shared.dashboard.analytics_routes import analytics_router
from shared.dashboard.monitoring_routes import monitoring_router
from shared.db import Database
from shared.order_routes import order_read_router
from shared.settings import ServiceSettings
from shared.tasks.routes import task_router
from shared.web.routes import web_router
from shared.webhooks import webhook_router


def _jobs(db: Database, _settings: ServiceSettings) -> list[Job]:
    return [
        Job(
            "quote_expiry",
            partial(expire_quotes, db),
            next_due=partial(seconds_until_next_expiry, db),
        )
    ]


def spec(settings: ClientSettings) -> ServiceSpec:
    return ServiceSpec(
        name="client",
        title="orderflow client service",
        description="The buyer: places orders, answers quotes, confirms receipt.",
        schema=SCHEMA,
        process=PROCESS,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            orders_router,
            order_read_router(order_repository),
            customers_router,
            task_router(PROCESS, complete_task),
            webhook_router(HANDLERS),
            analytics_router(PROCESS, service="client", title="client · buyer"),
            monitoring_router(
                title="client · buyer",
                process=PROCESS,
                orders=order_repository,
                peer="supplier",
            ),
            web_router(
                title="client · buyer",
                process=PROCESS,
                complete=complete_task,
                orders=order_repository,
                extensions=[ORDER_FORM],
            ),
        ],
        seed=partial(load_customers, path=Path(settings.customers_csv)),
        jobs=_jobs,
    )


def create_app(settings: ClientSettings | None = None) -> FastAPI:
    settings = settings or ClientSettings()
    return create_service_app(spec(settings), settings)
