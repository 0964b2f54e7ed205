"""SLA engine: working-day calendar and duration arithmetic."""
