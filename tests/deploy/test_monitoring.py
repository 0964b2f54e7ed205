"""The monitoring configuration (issue #11): deploy/prometheus/ and deploy/grafana/.

- Every metric name and label an alert rule or a dashboard panel uses is one the code
  registers (backend/observability/metrics.py, actions/metrics.py), so renaming a metric
  cannot silently leave an alert that never fires or an empty panel.
- Every alert carries what the operators and Alertmanager need (for, severity, summary,
  description, runbook).
- promtool, when installed, checks the rules and the scrape configuration, and runs unit
  tests of the rules' logic (the minimum-traffic guards, `max` over replicas for the
  database gauges, a unit with no overdue series an hour ago read as zero).
- The dashboard loads, its panel ids are unique, every panel queries the `${datasource}`
  variable.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions import metrics as action_metrics
from backend.observability import metrics as backend_metrics

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboard.json"
SERVICE_RULES = ROOT / "backend" / "config" / "service_rules.yml"
DATASOURCE_UID = "${datasource}"

# Labels Prometheus adds to every scraped series, and a histogram bucket's bound.
TARGET_LABELS = frozenset({"instance", "job"})
ALLOWED_EVERYWHERE = TARGET_LABELS | {"le"}

PROMQL_FUNCTIONS = frozenset("""
abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp clamp_max
clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg delta deriv exp
floor histogram_count histogram_fraction histogram_quantile histogram_stddev histogram_stdvar histogram_sum
holt_winters hour idelta increase irate label_join label_replace last_over_time ln log10 log2
mad_over_time max_over_time min_over_time minute month pi predict_linear present_over_time
quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_desc sqrt stddev_over_time
stdvar_over_time sum_over_time tan tanh time timestamp vector year
""".split())
AGGREGATIONS = frozenset("sum min max avg group stddev stdvar count count_values bottomk topk quantile".split())
KEYWORDS = frozenset("by without on ignoring group_left group_right and or unless offset bool atan2 inf nan".split())
LABEL_CLAUSE = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)")
SELECTOR = re.compile(r"(?<![\w:.])([a-zA-Z_:][\w:]*)?\s*\{([^{}]*)\}")
MATCHER = re.compile(r'([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"')
IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][\w:]*)")


def registered_metrics() -> dict[str, frozenset[str]]:
    """Every series name the two registries expose, with the labels it carries."""
    names: dict[str, frozenset[str]] = {"up": TARGET_LABELS}
    for registry in (backend_metrics.REGISTRY, action_metrics.REGISTRY):
        # prometheus_client has no public list of a registry's collectors nor of a metric's label names.
        for collector in list(registry._collector_to_names):
            labels = frozenset(getattr(collector, "_labelnames", ())) | TARGET_LABELS
            for family in collector.describe():
                if family.type == "counter":
                    names[f"{family.name}_total"] = labels
                elif family.type == "histogram":
                    names[f"{family.name}_count"] = names[f"{family.name}_sum"] = labels
                    names[f"{family.name}_bucket"] = labels | {"le"}
                else:
                    names[family.name] = labels
    return names


REGISTERED = registered_metrics()


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis that closes the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise AssertionError(f"unbalanced parentheses in {text!r}")


def _opening(text: str, end: int) -> int:
    """Index of the parenthesis that opens the one closing at `end`."""
    depth = 0
    for i in range(end, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise AssertionError(f"unbalanced parentheses in {text!r}")


def _metric_names(text: str) -> list[str]:
    """The series names in a PromQL text whose selectors' braces, strings and label lists are gone."""
    names = []
    for match in IDENTIFIER.finditer(text):
        word = match.group(1)
        if word in KEYWORDS or word in AGGREGATIONS:
            continue
        if re.match(r"\s*\(", text[match.end():]):
            assert word in PROMQL_FUNCTIONS, f"unknown PromQL function {word!r}"
            continue
        names.append(word)
    return names


def analyse(expr: str) -> tuple[list[str], list[str]]:
    """(metric names used, problems with labels) of one PromQL expression."""
    problems: list[str] = []
    text = re.sub(r"\$\{?\w+\}?", "", expr)  # Grafana's variables ($__rate_interval), in ranges only here
    text = re.sub(r"\[[^\]]*\]", "", text)  # range and subquery durations

    def selector(match: re.Match[str]) -> str:
        name = match.group(1)
        labels = set(MATCHER.findall(match.group(2)))
        if name is None:
            problems.append(f"selector without a metric name: {match.group(0)}")
        elif name in REGISTERED and (unknown := labels - REGISTERED[name]):
            problems.append(f"{name} has no label {sorted(unknown)}")
        return name or ""

    text = SELECTOR.sub(selector, text)
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)

    clauses = []  # (kind, labels, start, end) of each label list, its scope decided below
    for match in LABEL_CLAUSE.finditer(text):
        labels = {label.strip() for label in match.group(2).split(",") if label.strip()}
        clauses.append((match.group(1), labels, match.start(), match.end()))
    for kind, labels, start, end in clauses:
        if kind in ("by", "without"):
            rest = text[end:]
            if rest.lstrip().startswith("("):  # sum by (x) (expr)
                open_at = end + len(rest) - len(rest.lstrip())
                scope = text[open_at:_closing(text, open_at) + 1]
            else:  # sum (expr) by (x)
                close_at = len(text[:start].rstrip()) - 1
                scope = text[_opening(text, close_at):close_at + 1]
        else:  # vector matching: the labels must be on some series of the expression
            scope = text
        blanked = LABEL_CLAUSE.sub(" ", scope)
        scoped = [name for name in _metric_names(blanked) if name in REGISTERED]
        for label in labels - ALLOWED_EVERYWHERE:
            if kind in ("by", "without"):
                missing = [name for name in scoped if label not in REGISTERED[name]]
                if missing or not scoped:
                    problems.append(f"{kind} ({label}) over {missing or scope!r}, which lack it")
            elif not any(label in REGISTERED[name] for name in scoped):
                problems.append(f"{kind} ({label}): no series of the expression has it")
    names = _metric_names(LABEL_CLAUSE.sub(" ", text))
    problems += [f"unknown metric {name!r}" for name in names if name not in REGISTERED]
    return names, problems


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def dashboard_panels() -> list[dict[str, Any]]:
    """Every panel, those inside a collapsed row included; rows themselves are layout, not queries."""
    panels = []
    for panel in dashboard()["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


def query_panels() -> list[dict[str, Any]]:
    return [panel for panel in dashboard_panels() if panel["type"] != "row"]


# --- the analyser itself: it must be able to fail ------------------------------------------------


@pytest.mark.parametrize("expr, problem", [
    ('sum(rate(p95598_assistant_turns[5m]))', "unknown metric 'p95598_assistant_turns'"),
    ('p95598_ticket_clocks{state="overdue", route="/x"}', "p95598_ticket_clocks has no label ['route']"),
    ("max by (route) (p95598_ticket_clocks)", "by (route)"),
    ("sum(rate(p95598_handoffs_total[5m])) by (unit)", "by (unit)"),
    ("sum by (channel) (rate(p95598_handoffs_total[5m]) / rate(p95598_http_request_duration_seconds_count[5m]))",
     "by (channel)"),
])
def test_the_analyser_finds_what_is_wrong(expr: str, problem: str) -> None:
    _, problems = analyse(expr)
    assert any(problem in p for p in problems), problems


def test_the_analyser_accepts_what_is_right() -> None:
    names, problems = analyse(
        'histogram_quantile(0.9, sum by (channel, le) (rate(p95598_handoff_wait_seconds_bucket{job="backend"}[30m])))'
        ' > 300 and on () max(up{job="backend"} offset 1h) == 1'
        ' and sum(rate(p95598_http_request_duration_seconds_count{status=~"5.."}[$__rate_interval])) by (route) > 0')
    assert problems == []
    assert names == ["p95598_handoff_wait_seconds_bucket", "up", "p95598_http_request_duration_seconds_count"]


# --- a: names and labels -------------------------------------------------------------------------


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_expressions_use_registered_metrics_and_labels(rule: dict[str, Any]) -> None:
    names, problems = analyse(rule["expr"])
    assert names, "an alert on no metric"
    assert problems == []


@pytest.mark.parametrize("panel", query_panels(), ids=lambda panel: str(panel["id"]))
def test_dashboard_queries_use_registered_metrics_and_labels(panel: dict[str, Any]) -> None:
    for target in panel["targets"]:
        names, problems = analyse(target["expr"])
        assert names, f"{panel['title']}: a query on no metric"
        assert problems == [], panel["title"]


def test_database_gauges_are_never_summed_over_replicas() -> None:
    """Every backend replica reports the same database figure: `sum` over instances would multiply it."""
    shared = ("p95598_ticket_clocks", "p95598_conversations", "p95598_delivery_")
    exprs = [rule["expr"] for rule in alert_rules()]
    exprs += [target["expr"] for panel in query_panels() for target in panel["targets"]]
    for expr in exprs:
        for match in re.finditer(r"\bsum\b\s*(by\s*\(([^)]*)\))?\s*\(", expr):
            inner = expr[match.end() - 1:_closing(expr, match.end() - 1) + 1]
            keeps_instance = match.group(2) is not None and "instance" in match.group(2)
            assert keeps_instance or not any(name in inner for name in shared), expr


def test_every_scraped_family_is_somewhere_on_the_dashboard() -> None:
    used = {name for panel in query_panels() for target in panel["targets"] for name in analyse(target["expr"])[0]}
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in REGISTERED} - {"up"}
    assert families - {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in used} == set()


# --- b: what every alert carries -----------------------------------------------------------------


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_every_alert_has_for_severity_and_annotations(rule: dict[str, Any]) -> None:
    assert re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))), "a `for:` duration"
    assert rule.get("labels", {}).get("severity") in ("page", "ticket")
    annotations = rule.get("annotations", {})
    for key in ("summary", "description"):
        assert re.search(r"[\u4e00-\u9fff]", annotations.get(key, "")), f"{key} in Chinese"
    assert annotations.get("runbook", "").startswith("README.md#operations")


def test_alert_names_are_unique() -> None:
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names))


def test_the_stalled_sweep_threshold_follows_the_scheduler_interval() -> None:
    """The rule says 5 × scheduler.interval_seconds: changing the interval must change the rule."""
    interval = yaml.safe_load(SERVICE_RULES.read_text(encoding="utf-8"))["scheduler"]["interval_seconds"]
    [rule] = [rule for rule in alert_rules() if rule["alert"] == "P95598DeadlineSweepStalled"]
    threshold = re.search(r">\s*(\d+)\s*\*\s*(\d+)\s*$", rule["expr"].strip())
    assert threshold is not None and int(threshold.group(2)) == interval, (
        f"scheduler.interval_seconds is {interval}: update P95598DeadlineSweepStalled's threshold")


# --- c: promtool ---------------------------------------------------------------------------------


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus)")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def test_promtool_accepts_the_rules() -> None:
    result = run(promtool(), "check", "rules", str(ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_scrape_configuration(tmp_path: Path) -> None:
    tool = promtool()
    token = tmp_path / "metrics_token"
    token.write_text("scrape-token\n", encoding="utf-8")
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
    assert {job["job_name"] for job in config["scrape_configs"]} == {"backend", "actions"}
    for job in config["scrape_configs"]:
        assert job["authorization"]["credentials_file"] == "/etc/95598/metrics_token"
        job["authorization"]["credentials_file"] = str(token)
    shutil.copy(ALERTS, tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run(tool, "check", "config", str(tmp_path / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout, result.stdout  # alerts.yml was loaded


def test_promtool_parses_the_dashboard_queries(tmp_path: Path) -> None:
    """Each panel's query, as a recording rule (Grafana's $__rate_interval as 5m), must be valid PromQL."""
    tool = promtool()
    rules = [{"record": f"dashboard:panel_{panel['id']}:{target['refId']}",
              "expr": target["expr"].replace("$__rate_interval", "5m")}
             for panel in query_panels() for target in panel["targets"]]
    (tmp_path / "dashboard_rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    result = run(tool, "check", "rules", str(tmp_path / "dashboard_rules.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def _alert(name: str, at: str, **labels: str) -> dict[str, Any]:
    return {"eval_time": at, "alertname": name, "exp_alerts": [{"exp_labels": labels}] if labels else []}


# Series and expectations for `promtool test rules`. Time starts at 0 (the Unix epoch), one sample a minute.
RULE_TESTS: list[dict[str, Any]] = [
    {   # a channel where 4 of 10 turns a minute fall back; another at night, 1 turn a minute, all falling back
        "input_series": [
            {"series": 'p95598_assistant_turns_total{job="backend", instance="b1", channel="web"}', "values": "0+10x60"},
            {"series": 'p95598_assistant_fallbacks_total{job="backend", instance="b1", channel="web"}',
             "values": "0+4x60"},
            {"series": 'p95598_assistant_turns_total{job="backend", instance="b1", channel="wechat"}',
             "values": "0+1x60"},
            {"series": 'p95598_assistant_fallbacks_total{job="backend", instance="b1", channel="wechat"}',
             "values": "0+1x60"},
        ],
        "alert_rule_test": [
            _alert("P95598AssistantFallbackRateHigh", "20m", channel="web", severity="page"),
            _alert("P95598AssistantFallbackRateHigh", "10m"),  # not yet 10 minutes of `for`
        ],
    },
    {   # overdue clocks, two backend replicas reporting the same database figures
        "input_series": [
            {"series": 'up{job="backend", instance="b1"}', "values": "1x180"},
            {"series": 'up{job="backend", instance="b2"}', "values": "1x180"},
            # u1: two commitments each 6 more in the last hour (12 for the unit), on both replicas
            *({"series": f'p95598_ticket_clocks{{job="backend", instance="{i}", unit="u1", commitment="{c}", '
                         f'state="overdue"}}', "values": "20x100 26x80"}
              for i in ("b1", "b2") for c in ("arrival", "reply")),
            # u2: no overdue clock (no series) until 100 min, then 12
            {"series": 'p95598_ticket_clocks{job="backend", instance="b1", unit="u2", commitment="reply", '
                       'state="overdue"}', "values": "_x100 12x80"},
            # u3: a steady large backlog
            {"series": 'p95598_ticket_clocks{job="backend", instance="b1", unit="u3", commitment="reply", '
                       'state="overdue"}', "values": "80x180"},
            # u4: replica b2 starts reporting it at 100 min; the figure itself did not move (sum would be +12)
            {"series": 'p95598_ticket_clocks{job="backend", instance="b1", unit="u4", commitment="reply", '
                       'state="overdue"}', "values": "12x180"},
            {"series": 'p95598_ticket_clocks{job="backend", instance="b2", unit="u4", commitment="reply", '
                       'state="overdue"}', "values": "_x100 12x80"},
        ],
        "alert_rule_test": [
            {"eval_time": "110m", "alertname": "P95598OverdueSpike", "exp_alerts": [
                {"exp_labels": {"unit": "u1", "severity": "page"}},
                {"exp_labels": {"unit": "u2", "severity": "page"}}]},
            _alert("P95598OverdueSpike", "102m"),  # not yet 5 minutes of `for`
        ],
    },
    {   # a Prometheus just started: no history an hour ago, a backlog is not a spike
        "input_series": [
            {"series": 'up{job="backend", instance="b1"}', "values": "1x30"},
            {"series": 'p95598_ticket_clocks{job="backend", instance="b1", unit="u1", commitment="reply", '
                       'state="overdue"}', "values": "50x30"},
        ],
        "alert_rule_test": [_alert("P95598OverdueSpike", "20m")],
    },
    {   # b1 runs without the sweep (SCHEDULER=0, the gauge stays 0); b2 sweeps, then stops at 20 min
        "input_series": [
            {"series": 'p95598_scheduler_last_pass_timestamp_seconds{job="backend", instance="b1"}', "values": "0x40"},
            {"series": 'p95598_scheduler_last_pass_timestamp_seconds{job="backend", instance="b2"}',
             "values": "0+60x20 1200x20"},
        ],
        "alert_rule_test": [
            _alert("P95598DeadlineSweepStalled", "15m"),
            _alert("P95598DeadlineSweepStalled", "23m"),  # 180 s late, not yet 2 minutes of `for`
            _alert("P95598DeadlineSweepStalled", "30m", severity="page"),
        ],
    },
    {   # Rasa down at night: no turn answered, one message a minute unanswered
        "input_series": [
            {"series": 'p95598_assistant_unavailable_total{job="backend", instance="b1", channel="wechat"}',
             "values": "0+1x30"},
        ],
        "alert_rule_test": [_alert("P95598AssistantUnavailable", "20m", severity="page")],
    },
    {   # a draining process's /readyz says 503 a lot; the API's own 5xx start at 30 min
        "input_series": [
            {"series": 'p95598_http_request_duration_seconds_count{job="backend", instance="b1", method="GET", '
                       'route="/readyz", status="503"}', "values": "0+600x60"},
            {"series": 'p95598_http_request_duration_seconds_count{job="backend", instance="b1", method="GET", '
                       'route="/api/tickets", status="200"}', "values": "0+600x60"},
            {"series": 'p95598_http_request_duration_seconds_count{job="backend", instance="b1", method="GET", '
                       'route="/api/tickets", status="500"}', "values": "0x30 0+100x30"},
        ],
        "alert_rule_test": [
            _alert("P95598Backend5xxRateHigh", "25m"),
            _alert("P95598Backend5xxRateHigh", "45m", severity="page"),
        ],
    },
    {   # nobody takes the queue: its longest wait grows a minute a minute, the same on both replicas
        "input_series": [
            *({"series": f'p95598_handoff_oldest_waiting_seconds{{job="backend", instance="{i}"}}',
               "values": "0+60x30"} for i in ("b1", "b2")),
        ],
        "alert_rule_test": [
            _alert("P95598HandoffQueueStuck", "13m"),  # 13 minutes of waiting, not yet 5 minutes of `for`
            _alert("P95598HandoffQueueStuck", "20m", severity="page"),
        ],
    },
    {   # one action server's outbox stuck since the start, the other drains
        "input_series": [
            {"series": 'p95598_action_outbox_oldest_age_seconds{job="actions", instance="a1"}', "values": "0+60x30"},
            {"series": 'p95598_action_outbox_oldest_age_seconds{job="actions", instance="a2"}', "values": "0x30"},
        ],
        "alert_rule_test": [
            _alert("P95598ActionOutboxNotDraining", "12m"),  # 11 minutes old, not yet 5 minutes of `for`
            _alert("P95598ActionOutboxNotDraining", "20m", instance="a1", severity="page"),
        ],
    },
]


def test_the_rules_fire_when_they_should_and_only_then(tmp_path: Path) -> None:
    tool = promtool()
    # promtool compares annotations too; the templated texts are checked above, the logic here.
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    for group in document["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    evaluation = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))["global"]["evaluation_interval"]
    tests = {"rule_files": ["alerts.yml"], "evaluation_interval": evaluation,
             "tests": [{"interval": "1m", **case} for case in RULE_TESTS]}
    (tmp_path / "alerts_test.yml").write_text(yaml.safe_dump(tests, sort_keys=False), encoding="utf-8")
    result = run(tool, "test", "rules", str(tmp_path / "alerts_test.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


# --- d: the dashboard ----------------------------------------------------------------------------


def test_dashboard_loads_with_the_datasource_variable() -> None:
    board = dashboard()
    assert board["schemaVersion"] == 39
    [variable] = [v for v in board["templating"]["list"] if v["name"] == "datasource"]
    assert variable["type"] == "datasource" and variable["query"] == "prometheus"
    assert all("$instance" not in json.dumps(panel) for panel in dashboard_panels()), "instance-independent"


def test_dashboard_panel_ids_are_unique() -> None:
    ids = [panel["id"] for panel in dashboard_panels()]
    assert len(ids) == len(set(ids))


def test_dashboard_rows() -> None:
    rows = [panel["title"] for panel in dashboard_panels() if panel["type"] == "row"]
    assert [re.search(r"[(（]([A-Za-z ]+)[)）]", title).group(1) for title in rows] == [
        "Customers", "Service commitments", "Agents", "Channels", "Platform"]


@pytest.mark.parametrize("panel", query_panels(), ids=lambda panel: str(panel["id"]))
def test_every_panel_queries_the_datasource_variable(panel: dict[str, Any]) -> None:
    assert panel["targets"], f"{panel['title']}: no query"
    for target in panel["targets"]:
        datasource = target.get("datasource") or panel.get("datasource")
        assert datasource == {"type": "prometheus", "uid": DATASOURCE_UID}, panel["title"]
        assert target["expr"].strip() and target["refId"]
