"""Reference data for the assistant and the human-agent queue."""
from __future__ import annotations


async def test_tariff_table_comes_from_configuration(client, auth):
    table = await (await client.get("/api/tariffs/zhejiang", headers=auth)).json()
    assert [t["upto_kwh"] for t in table["tiers"]] == [2760, 4800, None]
    assert table["tiers"][0]["price"] == "0.538"
    assert table["time_of_use"]["valley"]["start"] == "22:00"
    assert (await client.get("/api/tariffs/narnia", headers=auth)).status == 404


async def test_commitments_read_as_customers_hear_them(client, auth):
    commitments = await (await client.get("/api/service-commitments", headers=auth)).json()
    assert commitments["clocks"]["fault_repair"]["arrival"]["remote"] == {"limit": "120m", "text": "120分钟"}
    assert commitments["clocks"]["complaint"]["reply"]["text"] == "5个工作日"
    assert commitments["clocks"]["service_request/reconnection"]["reply"]["text"] == "24小时"
    assert commitments["residential_connection"]["text"] == "5个工作日"


async def test_handoff_queues_once_and_reports_position(client, auth, clock):
    first = {"channel": "web", "sender_id": "web-abc", "reason": "request_human",
             "summary": "客户户号3301234567890，电话13812345678，询问电费"}
    resp = await client.post("/api/conversations/handoffs", json=first, headers=auth)
    assert resp.status == 201
    queued = await resp.json()
    assert queued["state"] == "waiting_agent" and queued["queue_position"] == 1
    clock.advance(minutes=1)
    second = await (await client.post("/api/conversations/handoffs", headers=auth, json={
        "channel": "wechat", "sender_id": "openid-1", "reason": "misunderstood_twice"})).json()
    assert second["queue_position"] == 2
    again = await (await client.post("/api/conversations/handoffs", json=first, headers=auth)).json()
    assert again["id"] == queued["id"] and again["queue_position"] == 1
    queue = await (await client.get("/api/conversations?state=waiting_agent", headers=auth)).json()
    assert queue["total"] == 2
    transcript = await (await client.get(f"/api/conversations/{queued['id']}", headers=auth)).json()
    # The summary is stored masked, as every transcript line is.
    assert transcript["messages"][0]["text"] == "客户户号******7890，电话138****5678，询问电费"


async def test_worked_example_splits_a_month_across_tiers(client, auth):
    # 2700 kWh before, 100 this month: 60 at 0.538 (32.28) + 40 at 0.588 (23.52) = 55.80 yuan.
    resp = await client.get("/api/tariffs/zhejiang/price", headers=auth,
                            params={"kwh": 100, "annual_kwh_before": 2700})
    priced = await resp.json()
    assert priced["amount"] == "55.80" and priced["tier"] == 2
    assert [(s["tier"], s["kwh"], s["amount"]) for s in priced["segments"]] == [(1, 60, "32.28"), (2, 40, "23.52")]
    bad = await client.get("/api/tariffs/zhejiang/price", headers=auth,
                           params={"kwh": 100, "kwh_peak": 70, "kwh_valley": 20})
    assert bad.status == 422
