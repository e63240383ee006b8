"""The supplier service."""

from functools import partial
from pathlib import Path

from fastapi import FastAPI

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
from supplier_service.catalogue.routes import router as catalogue_router
from supplier_service.catalogue.seed import load_catalogue
from supplier_service.models import SCHEMA
from supplier_service.orders.service import repository as order_repository
from supplier_service.process import PROCESS
from supplier_service.quoting import CHANNEL, generate_quotes
from supplier_service.settings import SupplierSettings
from supplier_service.tasks import complete_task
from supplier_service.webhooks import HANDLERS


def spec(settings: SupplierSettings) -> ServiceSpec:
    def jobs(db: Database, _settings: ServiceSettings) -> list[Job]:
        return [
            Job(
                "generate_quote",
                partial(generate_quotes, db, settings),
                channel=CHANNEL,
            )
        ]

    return ServiceSpec(
        name="supplier",
        title="orderflow supplier service",
        description="The supplier's side: verifies orders, quotes, fulfils.",
        schema=SCHEMA,
        process=PROCESS,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            order_read_router(order_repository),
            catalogue_router,
            task_router(PROCESS, complete_task),
            webhook_router(HANDLERS),
            analytics_router(PROCESS, service="supplier", title="supplier"),
            monitoring_router(
                title="supplier",
                process=PROCESS,
                orders=order_repository,
                peer="client",
            ),
            web_router(
                title="supplier",
                process=PROCESS,
                complete=complete_task,
                orders=order_repository,
            ),
        ],
        seed=partial(load_catalogue, folder=settings.catalogue_dir),
        jobs=jobs,
    )


def create_app(settings: SupplierSettings | None = None) -> FastAPI:
    settings = settings or SupplierSettings()
    return create_service_app(spec(settings), settings)
