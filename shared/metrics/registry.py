"""The Prometheus metrics of one service, each service in a registry of its own.

Every metric carries a ``service`` label whose value is the service's schema name
(``client`` or ``supplier``), the one name that code deep inside a transaction or a
background job can read from its ``Database``. Label values come only from closed
sets (HTTP methods, route templates, states, task types, decisions, message types),
never from ids, users or customers, so the number of series stays bounded and no
personal data reaches a scrape.
"""

from dataclasses import dataclass, field
from functools import cache

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from shared.process import ProcessDefinition

# People take minutes to days over a task; the test suite takes well under a second.
TASK_BUCKETS_S = (
    *(1.0, 5.0, 30.0, 60.0, 300.0, 900.0, 1800.0),
    *(3600.0, 4 * 3600.0, 8 * 3600.0, 86400.0, 2 * 86400.0, 3 * 86400.0),
    *(7 * 86400.0, 14 * 86400.0),
)
# A webhook delivered at once takes milliseconds; one that waited out the retry
# schedule (10 s up to 12 h between bursts) takes up to about a day.
DELIVERY_BUCKETS_S = (
    *(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    *(300.0, 1800.0, 3600.0, 3 * 3600.0, 6 * 3600.0, 12 * 3600.0, 86400.0),
)
HTTP_BUCKETS_S = (
    *(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

DELIVERED = "delivered"
TRANSIENT_FAILURE = "transient_failure"
PERMANENT_FAILURE = "permanent_failure"
DELIVERY_OUTCOMES = (DELIVERED, TRANSIENT_FAILURE, PERMANENT_FAILURE)


@dataclass(frozen=True)
class ServiceMetrics:
    service: str
    registry: CollectorRegistry
    http_requests: Counter
    http_duration: Histogram
    instances: Gauge
    task_completions: Counter
    task_waiting: Histogram
    task_handling: Histogram
    task_duration: Histogram
    task_escalations: Counter
    delivery_attempts: Counter
    deliveries_failed: Counter
    delivery_latency: Histogram
    # The process's states: each one is in every scrape, at 0 when it has no orders.
    states: list[str] = field(default_factory=list)

    def declare(self, process: ProcessDefinition) -> None:
        """Creates the series the process can produce, so they read 0 before use.

        ``rate()`` and dashboards then see a counter from its first scrape instead
        of from the first event, and a scrape lists every task type and message.
        """
        for state in process.states:
            if state.name not in self.states:
                self.states.append(state.name)
        for task_type in process.task_types:
            for decision in task_type.decisions:
                self.task_completions.labels(self.service, task_type.name, decision)
            for histogram in (self.task_waiting, self.task_handling):
                histogram.labels(self.service, task_type.name)
            self.task_duration.labels(self.service, task_type.name)
            self.task_escalations.labels(self.service, task_type.name)
        sent = {t.sends for t in process.transitions if t.sends and t.sent_by}
        for event_type in sorted(sent):
            for outcome in DELIVERY_OUTCOMES:
                self.delivery_attempts.labels(self.service, event_type, outcome)
            self.deliveries_failed.labels(self.service, event_type)
            self.delivery_latency.labels(self.service, event_type)


@cache
def service_metrics(service: str) -> ServiceMetrics:
    """The metrics of ``service`` in this process, made on first use."""
    registry = CollectorRegistry(auto_describe=True)
    return ServiceMetrics(
        service=service,
        registry=registry,
        http_requests=Counter(
            "orderflow_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["service", "method", "route", "status"],
            registry=registry,
        ),
        http_duration=Histogram(
            "orderflow_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ["service", "method", "route", "status"],
            buckets=HTTP_BUCKETS_S,
            registry=registry,
        ),
        instances=Gauge(
            "orderflow_instances",
            "Process instances (orders) in each state, read from the database "
            "at scrape time.",
            ["service", "state"],
            registry=registry,
        ),
        task_completions=Counter(
            "orderflow_task_completions",
            "Human tasks completed, by task type and decision.",
            ["service", "task_type", "decision"],
            registry=registry,
        ),
        task_waiting=Histogram(
            "orderflow_task_waiting_seconds",
            "Time a completed human task waited from created to claimed.",
            ["service", "task_type"],
            buckets=TASK_BUCKETS_S,
            registry=registry,
        ),
        task_handling=Histogram(
            "orderflow_task_handling_seconds",
            "Time a completed human task took from claimed to completed.",
            ["service", "task_type"],
            buckets=TASK_BUCKETS_S,
            registry=registry,
        ),
        task_duration=Histogram(
            "orderflow_task_duration_seconds",
            "Time a completed human task took from created to completed.",
            ["service", "task_type"],
            buckets=TASK_BUCKETS_S,
            registry=registry,
        ),
        task_escalations=Counter(
            "orderflow_task_escalations",
            "Human tasks escalated for being left past their due time.",
            ["service", "task_type"],
            registry=registry,
        ),
        delivery_attempts=Counter(
            "orderflow_delivery_attempts",
            "HTTP attempts to deliver a webhook, by message type and outcome "
            "(delivered, transient_failure, permanent_failure).",
            ["service", "event_type", "outcome"],
            registry=registry,
        ),
        deliveries_failed=Counter(
            "orderflow_deliveries_failed",
            "Webhooks marked failed for good: rejected by the peer, or out of "
            "retries. They wait for a redelivery.",
            ["service", "event_type"],
            registry=registry,
        ),
        delivery_latency=Histogram(
            "orderflow_delivery_latency_seconds",
            "Time from writing a webhook to the outbox to its delivery.",
            ["service", "event_type"],
            buckets=DELIVERY_BUCKETS_S,
            registry=registry,
        ),
    )
