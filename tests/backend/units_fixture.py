"""A small hand-made unit tree with one area of each site class, for ticket tests."""
from __future__ import annotations

from backend.context import Platform
from backend.models import Account, Area, Unit

UNITS = [
    ("33", "国网浙江省电力有限公司", "province", None),
    ("3301", "国网杭州供电公司", "city", "33"),
    ("330127", "国网淳安县供电公司", "county", "3301"),
    ("33012701", "千岛湖供电所", "station", "330127"),
    ("33012702", "汾口供电所", "station", "330127"),
]
AREAS = [
    # id, name, city, county, street, site class, unit
    (1, "坪山社区", "杭州市", "淳安县", "千岛湖镇", "urban", "33012701"),
    (2, "下姜村", "杭州市", "淳安县", "枫树岭镇", "rural", "33012702"),
    (3, "白马村", "杭州市", "淳安县", "屏门乡", "remote", "33012702"),
]


async def seed_units(platform: Platform) -> None:
    async with platform.sessions() as session:
        for uid, name, level, parent in UNITS:
            session.add(Unit(id=uid, name=name, level=level, parent_id=parent))
            await session.flush()
        for aid, name, city, county, street, site, unit in AREAS:
            session.add(Area(id=aid, name=name, city=city, county=county, street=street,
                             site_class=site, unit_id=unit))
        session.add(Account(account_no="3301234567890", name="王建国", phone="13812345678",
                            address="杭州市淳安县千岛湖镇坪山社区12幢301", area_id=1,
                            transformer_area="坪山3号台区", tariff="zhejiang"))
        await session.commit()
