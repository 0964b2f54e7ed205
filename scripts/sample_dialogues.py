"""Talks to a running assistant (`make run`) through the REST channel and writes
docs/sample-dialogues.md: one conversation per flow, as a customer sees it.

The bill flows use a demo account with an unpaid bill, read from the backend's
database, so the figures are real output of the system.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = "http://127.0.0.1:5005/webhooks/rest/webhook"


def demo_account(database: Path = ROOT / "var" / "app.db") -> tuple[str, str]:
    """A demo account with an unpaid bill: its 户号 and its phone's last four digits (the identity check)."""
    db = sqlite3.connect(database)
    row = db.execute(
        "SELECT a.account_no, a.phone FROM accounts a JOIN bills b ON b.account_id = a.id "
        "WHERE b.paid_amount < b.amount AND a.status = 'normal' ORDER BY a.id LIMIT 1").fetchone()
    return row[0], row[1][-4:]


def send(sender: str, text: str) -> list[str]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(RASA, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return [m["text"] for m in json.load(response) if m.get("text")]


def flows(account: str, last4: str) -> dict[str, list[str]]:
    return {
        "Enquiries (payment, business process), then nothing more": ["电费可以在哪里交？", "过户要带什么材料",
                                                                    "谢谢", "没有了"],
        "Tariff, and the worked example through the identity check": ["阶梯电价怎么算", account, last4],
        "Outage lookup by a place's name, then a repair offer": ["屏门村明天停电吗", "好的"],
        "Outage lookup: a bare 社区 is asked about": ["我们社区明天停电吗", "迎春社区"],
        "Danger in an outage question comes first": ["停电了，表箱那边还在冒烟，几点能恢复", "需要", "千岛湖镇新安社区3幢",
                                                     "13812345678"],
        "Fault repair at an address the area table does not know": ["我家没电了", "没有", "幸福里小区3号楼2单元", "城区",
                                                                    "13812345678"],
        "Bill after the identity check, then an outage question about another place": [
            "这个月电费多少", account, last4, "屏门村明天停电吗"],
        "Bill dispute and a meter test": ["电费怎么这么高", account, last4, "需要"],
        "Complaint: an empty opener, a read-back and one correction": [
            "我要投诉你们的工作人员", "抄表员态度很差还骂人", "昨天下午", "在我家门口", "希望道歉", "13900001111",
            "时间不对", "前天下午", "确认"],
        "Switching task inside a form": ["我要投诉", "营业厅把我的户号登记错了", "先帮我查一下停电通知", "是的", "汾口社区"],
        "A side question inside a form, then cancel": ["我要报修", "电费在哪交", "算了不修了"],
        "Suggestion": ["我有个建议", "希望停电能提前发短信通知", "不留"],
        "Ticket follow-up": ["查一下我的工单", "13900001111", "催一下"],
        "Human agent": ["转人工"],
        "Traditional characters": ["我家停電了，怎麼辦"],
    }


def main() -> None:
    account, last4 = demo_account()
    lines = ["# Sample dialogues", "",
             "Recorded from `make run` with the demo data by `python -m scripts.sample_dialogues`.", ""]
    for title, turns in flows(account, last4).items():
        sender = f"sample-{uuid.uuid4().hex[:8]}"
        lines += [f"## {title}", ""]
        for turn in turns:
            lines.append(f"> **客户**：{turn}")
            lines.append(">")
            for reply in send(sender, turn):
                lines.append(f"> **客服**：{reply}".replace("\n", "<br>"))
                lines.append(">")
            lines.append("")
    (ROOT / "docs" / "sample-dialogues.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
