"""The action server's Prometheus metrics (issue #11), scraped at its /metrics.

Each action server keeps its own outbox (OUTBOX_PATH), so its depth and age are this
process's own figures: dashboards `sum` depth and take `max` age over action servers.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from backend.observability.metrics import LATENCY_BUCKETS, PREFIX

REGISTRY = CollectorRegistry(auto_describe=True)

ACTION_DURATION = Histogram(f"{PREFIX}_action_duration_seconds", "Custom actions run, by action and outcome "
                            "(ok; error: the action raised)", ["action", "outcome"], buckets=LATENCY_BUCKETS,
                            registry=REGISTRY)
BACKEND_FAILURES = Counter(f"{PREFIX}_action_backend_failures", "Backend calls from the actions that failed "
                           "(unavailable: after the retries; refused: a 4xx)", ["reason"], registry=REGISTRY)
OUTBOX_DEPTH = Gauge(f"{PREFIX}_action_outbox_depth", "Tickets kept in this action server's outbox, waiting for "
                     "the backend", registry=REGISTRY)
OUTBOX_OLDEST = Gauge(f"{PREFIX}_action_outbox_oldest_age_seconds", "Age of the oldest ticket in the outbox "
                      "(0 when it is empty)", registry=REGISTRY)
