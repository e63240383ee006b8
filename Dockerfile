# One image for both services; docker-compose.yml picks the service per container.
#   docker build -t orderflow:latest .
#   docker run --rm orderflow:latest secrets > .env
# The dashboards draw the BPMN model with bpmn-js, from the npm registry.
FROM node:20-slim AS bpmn-js
WORKDIR /npm
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --no-create-home --home-dir /app orderflow

WORKDIR /src

# Dependencies get their own layer, rebuilt only when pyproject.toml changes. The
# list is read from pyproject.toml itself, so it cannot drift from the package.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; \
print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
    > requirements.txt \
 && pip install --no-cache-dir -r requirements.txt

# The project itself, without dev or test extras. The Alembic histories (with their
# .ini and .mako files) are package data, so migrations run from site-packages and
# the source folder can go.
COPY shared/ shared/
COPY client_service/ client_service/
COPY supplier_service/ supplier_service/
COPY orderflow/ orderflow/
RUN pip install --no-cache-dir --no-deps . \
 && cd / && rm -rf /src

# The settings default to <package>/../data/northwind, which for an installed
# package points into site-packages; the catalogue lives here instead.
WORKDIR /app
COPY data/ data/
ENV CLIENT_CUSTOMERS_CSV=/app/data/northwind/customers.csv \
    SUPPLIER_CATALOGUE_DIR=/app/data/northwind
COPY --from=bpmn-js /npm/node_modules/bpmn-js/dist /app/bpmn-js
COPY bpmn/order-process.bpmn /app/bpmn/order-process.bpmn
ENV ORDERFLOW_BPMN_JS_DIR=/app/bpmn-js \
    ORDERFLOW_BPMN_FILE=/app/bpmn/order-process.bpmn

USER orderflow

# 8001: client service, 8002: supplier service. Healthchecks are in
# docker-compose.yml, where each container's port is known.
EXPOSE 8001 8002

ENTRYPOINT ["orderflow"]
CMD ["serve", "client", "--host", "0.0.0.0", "--port", "8001"]
