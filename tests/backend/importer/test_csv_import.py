"""CSV importer: all-or-nothing validation, encodings, upserts, line numbers.

Each test gets its own migrated SQLite file with a minimal unit tree:
淳安县 (新安社区 urban, 下姜村 rural, 城南社区) and 桐庐县 (城南社区 again, so
that name needs the county), plus one existing account 3300100000001 with a
2026-01 bill of 2700 kWh.
"""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.db import create_engine, migrate, session_factory
from backend.importer import ImportFailed, import_csv, import_files
from backend.importer.__main__ import main
from backend.models import Account, Area, Bill, Outage, OutageScope, Unit

ROOT = Path(__file__).resolve().parents[3]
UNITS = [
    ("33", "国网浙江省电力有限公司", "province", None),
    ("3301", "国网杭州供电公司", "city", "33"),
    ("330127", "国网淳安县供电公司", "county", "3301"),
    ("33012701", "千岛湖供电所", "station", "330127"),
    ("330122", "国网桐庐县供电公司", "county", "3301"),
    ("33012201", "桐君供电所", "station", "330122"),
]
AREAS = [
    (1, "新安社区", "淳安县", "千岛湖镇", "urban", "33012701"),
    (2, "下姜村", "淳安县", "枫树岭镇", "rural", "33012701"),
    (3, "城南社区", "淳安县", "千岛湖镇", "urban", "33012701"),
    (4, "城南社区", "桐庐县", "城南街道", "urban", "33012201"),
]
ACCOUNTS_HEADER = "户号,户名,联系电话,地址,区县,社区,台区,峰谷电价,费控,余额,状态\n"
GOOD_ACCOUNTS = ACCOUNTS_HEADER + (
    "3300100000011,张伟,13812345678,千岛湖镇新安社区1幢101室,,新安社区,千岛湖镇1号台区,是,否,,正常\n"
    "3300100000012,李芳,139 1234 5678,枫树岭镇下姜村8号,淳安县,下姜村,枫树岭镇2号台区,,,,\n"
    "3300100000013,王强,0571-64881234,城南街道城南社区3幢,桐庐县,城南社区,城南街道1号台区,否,是,-3.50,欠费停电\n"
)


async def _build(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    async with session_factory(engine)() as session, session.begin():
        for uid, name, level, parent in UNITS:
            session.add(Unit(id=uid, name=name, level=level, parent_id=parent))
            await session.flush()
        for aid, name, county, street, site, unit in AREAS:
            session.add(Area(id=aid, name=name, city="杭州市", county=county, street=street,
                             site_class=site, unit_id=unit))
        account = Account(account_no="3300100000001", name="赵敏", phone="13700001111",
                          address="千岛湖镇新安社区2幢", area_id=1, transformer_area="千岛湖镇1号台区",
                          tariff="zhejiang", time_of_use=True)
        account.bills = [Bill(period="2026-01", kwh_total=2700, annual_kwh=2700, tier=1,
                              amount=Decimal("1452.60"), paid_amount=Decimal("0"),
                              due_date=date(2026, 2, 15))]
        session.add(account)
    await engine.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("importer") / "template.db"
    asyncio.run(_build(path))
    return path


@pytest.fixture
def db(tmp_path, template) -> str:
    shutil.copy(template, tmp_path / "t.db")
    return f"sqlite+aiosqlite:///{tmp_path}/t.db"


def query(url: str, stmt):
    async def run():
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return (await session.execute(stmt)).all()
        finally:
            await engine.dispose()
    return asyncio.run(run())


def count(url: str, model) -> int:
    return query(url, select(func.count()).select_from(model))[0][0]


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(db: str, capsys, *items: str | Path) -> tuple[int, str, str]:
    code = main([*map(str, items), "--database-url", db])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- accounts -------------------------------------------------------------------

def test_good_accounts_file_imports(db, tmp_path, capsys):
    code, out, err = run(db, capsys, "accounts", write(tmp_path, GOOD_ACCOUNTS))
    assert (code, err) == (0, "")
    assert "已导入账户 3 条（新增 3 条，更新 0 条）" in out
    rows = {r.account_no: r for (r,) in query(db, select(Account))}
    assert len(rows) == 4
    zhang, li, wang = rows["3300100000011"], rows["3300100000012"], rows["3300100000013"]
    assert (zhang.area_id, zhang.time_of_use, zhang.prepaid, zhang.tariff) == (1, True, False, "zhejiang")
    assert (li.phone, li.area_id, li.time_of_use, li.status) == ("13912345678", 2, False, "normal")
    # 城南社区 exists in two counties; 区县 picks 桐庐县's.
    assert (wang.area_id, wang.prepaid, wang.balance, wang.status) == (
        4, True, Decimal("-3.50"), "disconnected_arrears")
    assert wang.phone == "057164881234"


def test_accounts_upsert_keeps_values_of_empty_cells(db, tmp_path, capsys):
    run(db, capsys, "accounts", write(tmp_path, GOOD_ACCOUNTS))
    update = ACCOUNTS_HEADER + (
        "3300100000011,张伟,13800000000,千岛湖镇新安社区1幢101室,,新安社区,千岛湖镇1号台区,,,,\n"
        "3300100000014,陈静,15012345678,枫树岭镇下姜村9号,,下姜村,枫树岭镇2号台区,,,,\n")
    code, out, _ = run(db, capsys, "accounts", write(tmp_path, update, name="u.csv"))
    assert code == 0 and "新增 1 条，更新 1 条" in out
    zhang = query(db, select(Account).where(Account.account_no == "3300100000011"))[0][0]
    assert zhang.phone == "13800000000"
    assert zhang.time_of_use is True  # empty 峰谷电价 cell: unchanged
    assert count(db, Account) == 5


def test_one_bad_line_imports_nothing(db, tmp_path, capsys):
    bad = GOOD_ACCOUNTS.splitlines(keepends=True)
    # Line 3 (the second data line) gets a 12-digit phone number.
    bad[2] = bad[2].replace("139 1234 5678", "139123456789")
    code, out, err = run(db, capsys, "accounts", write(tmp_path, "".join(bad)))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "第3行: 联系电话格式不正确（应为11位手机号或带区号的固定电话）",
        "校验未通过，未导入任何数据。",
    ]
    assert count(db, Account) == 1  # only the pre-existing account


def test_every_problem_is_reported_with_its_line(db, tmp_path, capsys):
    text = ACCOUNTS_HEADER + (
        "3300100000011,张伟,13812345678,地址,,新安社区,1号台区,是,,,\n"      # 2: fine
        "3300100000011,张伟,13812345678,地址,,新安社区,1号台区,,,,\n"       # 3: duplicate of 2
        "3.30010E+12,李芳,13912345678,地址,,城南社区,1号台区,也许,,,\n"      # 4: three problems
        "\n"                                                                  # 5: blank, skipped
        "330010000001,王强,13912345678,地址,淳安县,不存在村,1号台区,,,abc,冻结\n"  # 6
        ",,,,,,,,,,\n"                                                         # 7: empty, skipped
        "3300100000015,,13912345678,地址,,下姜村,1号台区,,,,\n"              # 8: no name
    )
    code, _, err = run(db, capsys, "accounts", write(tmp_path, text))
    assert code == 1
    assert err.splitlines()[:-1] == [
        "第3行: 户号与第2行重复",
        "第4行: 户号被表格软件转成了科学计数法，请把该列设为文本格式后重新导出",
        "第4行: 峰谷电价应为“是”或“否”，实际为“也许”",
        "第4行: 区域“城南社区”重名（桐庐县、淳安县），请填写区县",
        "第6行: 户号应为10位数字或以省份代码开头的13位数字（实际12个字符）",
        "第6行: 余额应为金额数字，实际为“abc”",
        "第6行: 状态应为正常/欠费停电/已销户/销户之一，实际为“冻结”",
        "第6行: 区域“不存在村”不存在于淳安县",
        "第8行: 户名不能为空",
    ]
    assert count(db, Account) == 1


def test_messages_do_not_echo_personal_data(db, tmp_path, capsys):
    text = ACCOUNTS_HEADER + "3300100000011,张伟,1381234567,地址,,新安社区,1号台区,,,,\n"
    _, _, err = run(db, capsys, "accounts", write(tmp_path, text))
    assert "1381234567" not in err and "张伟" not in err


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "gb18030"])
def test_gbk_and_bom_files(db, tmp_path, capsys, encoding):
    path = write(tmp_path, GOOD_ACCOUNTS.replace("\n", "\r\n"), encoding)
    code, out, _ = run(db, capsys, "accounts", path)
    assert code == 0 and "新增 3 条" in out
    names = {n for (n,) in query(db, select(Account.name))}
    assert {"张伟", "李芳", "王强"} <= names  # decoded correctly, not mojibake


def test_header_problems_are_line_1(db, tmp_path, capsys):
    text = "户号,户名,电话号码,地址,社区\n3300100000011,张伟,13812345678,地址,新安社区\n"
    code, _, err = run(db, capsys, "accounts", write(tmp_path, text))
    assert code == 1
    assert err.splitlines()[:-1] == [
        "第1行: 未知列“电话号码”（可用列：户号、户名、联系电话、地址、区县、社区、台区、"
        "电价、峰谷电价、费控、余额、状态）",
        "第1行: 缺少必填列：联系电话、台区",
    ]


def test_undecodable_file(db, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_bytes(ACCOUNTS_HEADER.encode() + b"\x80\x80\xff\xff\n")
    code, _, err = run(db, capsys, "accounts", path)
    assert code == 1 and err.startswith("第2行: 无法识别文件编码")


def test_line_numbers_count_multiline_cells(db, tmp_path, capsys):
    text = ACCOUNTS_HEADER + (
        '3300100000011,张伟,13812345678,"千岛湖镇\n新安社区1幢",,新安社区,1号台区,,,,\n'  # lines 2-3
        "3300100000012,李芳,12345,地址,,下姜村,2号台区,,,,\n")                           # line 4
    _, _, err = run(db, capsys, "accounts", write(tmp_path, text))
    assert err.startswith("第4行: 联系电话格式不正确")


# --- bills ------------------------------------------------------------------------

BILLS_HEADER = "户号,账期,总电量,峰电量,谷电量,电费金额,已缴金额,缴费时间\n"


def test_bills_priced_from_tier_year_history(db, tmp_path, capsys):
    # Existing account: 2026-01 had 2700 kWh (in the database), time-of-use.
    # 2026-02, 100 kWh, 60 peak / 40 valley: 60 kWh left in tier 1, 40 in tier 2.
    #   tier 1: 36 × 0.568 + 24 × 0.288 = 20.448 + 6.912 = 27.36
    #   tier 2: 24 × 0.618 + 16 × 0.338 = 14.832 + 5.408 = 20.24   → 47.60, tier 2
    # 2026-03, 50 kWh flat (no TOU split given): all tier 2, 50 × 0.588 = 29.40;
    #   the cumulative 2850 counts the 2026-02 row from this same file.
    # 2026-04 amount given in the file is taken as is.
    text = BILLS_HEADER + (
        "3300100000001,2026-02,100,60,40,,47.60,2026-03-10 09:30\n"
        "3300100000001,2026/3,50,,,,,\n"
        "3300100000001,202604,10,,,99.99,,\n")
    code, out, err = run(db, capsys, "bills", write(tmp_path, text))
    assert (code, err) == (0, ""), err
    assert "已导入账单 3 条（新增 3 条，更新 0 条）" in out
    bills = {b.period: b for (b,) in query(db, select(Bill))}
    feb, mar, apr = bills["2026-02"], bills["2026-03"], bills["2026-04"]
    assert (feb.amount, feb.tier, feb.annual_kwh, feb.due_date) == (
        Decimal("47.60"), 2, 2800, date(2026, 3, 15))
    assert (feb.paid_amount, feb.paid_at) == (
        Decimal("47.60"), datetime(2026, 3, 10, 1, 30, tzinfo=UTC))  # 09:30 Beijing
    assert (mar.amount, mar.tier, mar.annual_kwh, mar.paid_amount) == (
        Decimal("29.40"), 2, 2850, Decimal("0.00"))
    assert (apr.amount, apr.annual_kwh) == (Decimal("99.99"), 2860)


def test_bills_upsert_by_account_and_period(db, tmp_path, capsys):
    first = BILLS_HEADER + "3300100000001,2026-02,100,60,40,,47.60,2026-03-10 09:30\n"
    run(db, capsys, "bills", write(tmp_path, first))
    # Corrected reading, no payment cells: usage and price replaced, payment kept.
    # 2700 + 200 flat: 60 × 0.538 + 140 × 0.588 = 32.28 + 82.32 = 114.60.
    again = BILLS_HEADER + "3300100000001,2026-02,200,,,,,\n"
    code, out, _ = run(db, capsys, "bills", write(tmp_path, again, name="b2.csv"))
    assert code == 0 and "新增 0 条，更新 1 条" in out
    feb = query(db, select(Bill).where(Bill.period == "2026-02"))[0][0]
    assert (feb.kwh_total, feb.kwh_peak, feb.amount, feb.paid_amount) == (
        200, None, Decimal("114.60"), Decimal("47.60"))
    assert count(db, Bill) == 2


def test_bad_bills_import_nothing(db, tmp_path, capsys):
    text = BILLS_HEADER + (
        "3300100000001,2026-02,100,,,,,\n"          # 2: fine
        "3300100009999,2026-02,100,,,,,\n"          # 3: unknown account
        "3300100000001,2026-02,120,,,,,\n"          # 4: same account and period as line 2
        "3300100000001,2026-13,-5,70,40,,,\n"       # 5
        "3300100000001,2026-05,100,,,50.00,60.00,2026-06-31 10:00\n"  # 6
    )
    code, _, err = run(db, capsys, "bills", write(tmp_path, text))
    assert code == 1
    assert err.splitlines()[:-1] == [
        "第3行: 户号（尾号9999）在数据库和本次导入的账户中都不存在",
        "第4行: 户号和账期与第2行重复",
        "第5行: 账期应为年月YYYY-MM，实际为“2026-13”",
        "第5行: 总电量应为非负整数，实际为“-5”",
        "第6行: 缴费时间不是有效日期“2026-06-31”（应为YYYY-MM-DD）",
        "第6行: 已缴金额大于电费金额",
    ]
    assert count(db, Bill) == 1


def test_peak_valley_must_add_up(db, tmp_path, capsys):
    text = BILLS_HEADER + "3300100000001,2026-02,100,70,40,,,\n3300100000001,2026-03,100,70,,,,\n"
    _, _, err = run(db, capsys, "bills", write(tmp_path, text))
    assert err.splitlines()[:-1] == [
        "第2行: 峰电量70加谷电量40不等于总电量100",
        "第3行: 峰电量和谷电量须同时填写或同时留空",
    ]


def test_bills_may_reference_accounts_in_the_same_run(db, tmp_path, capsys):
    accounts = write(tmp_path, GOOD_ACCOUNTS, name="a.csv")
    # 3300100000012 is new in a.csv: its first bill is 2026-01, 300 kWh, 300 × 0.538 = 161.40.
    bills = write(tmp_path, BILLS_HEADER + "3300100000012,2026-01,300,,,,,\n", name="b.csv")
    code, out, _ = run(db, capsys, "accounts", accounts, "bills", bills)
    assert code == 0 and "已导入账户 3 条" in out and "已导入账单 1 条" in out
    rows = query(db, select(Bill.amount).join(Account).where(Account.account_no == "3300100000012"))
    assert rows == [(Decimal("161.40"),)]


def test_multi_file_failure_names_the_file(db, tmp_path, capsys):
    accounts = write(tmp_path, GOOD_ACCOUNTS, name="a.csv")
    bills = write(tmp_path, BILLS_HEADER + "3300100000012,2026-01,abc,,,,,\n", name="b.csv")
    code, _, err = run(db, capsys, "accounts", accounts, "bills", bills)
    assert code == 1
    assert err.splitlines()[:2] == [f"{bills}:", "第2行: 总电量应为非负整数，实际为“abc”"]
    assert count(db, Account) == 1  # the good accounts file was not imported either


# --- outages ----------------------------------------------------------------------

OUTAGES_HEADER = "类型,开始时间,预计恢复时间,实际恢复时间,区县,停电区域,台区,线路,原因\n"


@pytest.mark.asyncio
async def test_outages_import_and_upsert(db, tmp_path):
    text = OUTAGES_HEADER + (
        "计划,2026-12-01 08:00,2026-12-01 17:00,,,新安社区、下姜村,,10kV 城东线,10kV 线路检修\n"
        "故障,2026-11-20 14:00,2026-11-20 18:00,2026-11-20 16:30,桐庐县,城南社区,"
        "城南街道1号台区,10kV 城南线,低压线路故障抢修\n")
    engine = create_engine(db)
    factory = session_factory(engine)
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    try:
        result = await import_csv(factory, "outages", write(tmp_path, text), now=now)
        assert (result.inserted, result.updated) == (2, 0)
        async with factory() as session:
            outages = {o.type: o for o in (await session.execute(select(Outage))).scalars()}
            scopes = (await session.execute(select(OutageScope.outage_id, OutageScope.area_id,
                                                   OutageScope.transformer_area))).all()
        planned, fault = outages["planned"], outages["fault"]
        assert (planned.status, planned.unit_id, planned.published_at) == ("scheduled", "33012701", now)
        assert planned.area_text == "淳安县千岛湖镇新安社区、下姜村"
        assert fault.status == "restored" and fault.unit_id == "33012201"
        assert sorted(scopes) == sorted([(planned.id, 1, None), (planned.id, 2, None),
                                         (fault.id, 4, "城南街道1号台区")])
        # The same notice again, now cancelled: updated in place, not duplicated.
        again = OUTAGES_HEADER.replace("原因", "原因,状态") + (
            "计划,2026-12-01 08:00,2026-12-01 17:00,,,新安社区、下姜村,,10kV 城东线,10kV 线路检修,已取消\n")
        result = await import_csv(factory, "outages", write(tmp_path, again, name="o2.csv"), now=now)
        assert (result.inserted, result.updated) == (0, 1)
        async with factory() as session:
            statuses = (await session.execute(select(Outage.status).order_by(Outage.id))).scalars().all()
        assert statuses == ["cancelled", "restored"]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_bad_outages_rejected(db, tmp_path):
    text = OUTAGES_HEADER + (
        "计划,2026-12-01 17:00,2026-12-01 08:00,,,新安社区,,,检修\n"
        "停电,2026-12-01 08:00,2026-12-01 09:00,,,城南社区,,,\n"
        "临时,2026-12-01 25:00,2026-12-02 09:00,,,、,,,检修\n")
    engine = create_engine(db)
    try:
        with pytest.raises(ImportFailed) as failed:
            await import_files(session_factory(engine), [("outages", write(tmp_path, text))])
        async with session_factory(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Outage)) == 0
    finally:
        await engine.dispose()
    (_, messages), = failed.value.problems
    assert messages == [
        "第2行: 预计恢复时间应晚于开始时间",
        "第3行: 类型应为计划停电/临时停电/故障停电/计划/临时/故障之一，实际为“停电”",
        "第3行: 原因不能为空",
        "第3行: 区域“城南社区”重名（桐庐县、淳安县），请填写区县",
        "第4行: 开始时间不是有效时间“2026-12-01 25:00”（应为YYYY-MM-DD HH:MM）",
        "第4行: 停电区域不能为空",
    ]


# --- command line -------------------------------------------------------------------

def test_module_entry_point(db, tmp_path):
    path = write(tmp_path, GOOD_ACCOUNTS)
    ok = subprocess.run([sys.executable, "-m", "backend.importer", "accounts", str(path),
                         "--database-url", db], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "新增 3 条" in ok.stdout
    usage = subprocess.run([sys.executable, "-m", "backend.importer", "payments", str(path)],
                           cwd=ROOT, capture_output=True, text=True)
    assert usage.returncode == 2 and "KIND" in usage.stderr


def test_missing_file(db, tmp_path, capsys):
    code, _, err = run(db, capsys, "accounts", tmp_path / "nope.csv")
    assert code == 1 and "找不到文件" in err
