"""Running a service's background work as its own process (a dispatcher replica)."""

import asyncio

from shared.app import ServiceSpec, open_database
from shared.background import Background
from shared.logging import configure_logging
from shared.settings import ServiceSettings


def _service(name: str) -> tuple[ServiceSpec, ServiceSettings]:
    if name == "client":
        from client_service.app import spec as client_spec
        from client_service.settings import ClientSettings

        client_settings = ClientSettings()
        return client_spec(client_settings), client_settings
    from supplier_service.app import spec as supplier_spec
    from supplier_service.settings import SupplierSettings

    supplier_settings = SupplierSettings()
    return supplier_spec(supplier_settings), supplier_settings


async def run_workers(name: str) -> None:
    spec, settings = _service(name)
    configure_logging(
        service=spec.name, json=settings.log_json, level=settings.log_level
    )
    db = await open_database(spec, settings)
    background = Background(
        db=db, settings=settings, process=spec.process, jobs=spec.jobs(db, settings)
    )
    background.start()
    try:
        await asyncio.Event().wait()
    finally:
        await background.stop()
        await db.dispose()
