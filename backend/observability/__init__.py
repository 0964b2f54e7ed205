"""What operators see of a running process: request ids, log lines, metrics and health.

Shared by the three kinds of process (backend, action server, Rasa), so one message's
request id, one log format and one set of metric names hold across all of them.
"""
