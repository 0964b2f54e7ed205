"""Places as real tables have them, for the place resolver's tests.

One name in two counties (迎春社区 in 桐庐 and in 淳安), a town and a community
sharing a stem (分水镇 / 分水社区), an alias (千岛湖), and a 长街社区 in another
city that a bare 社区 must never reach.
"""
from __future__ import annotations

from backend.context import Platform
from backend.models import Area, PlaceAlias, Unit

UNITS = [
    ("33", "国网浙江省电力有限公司", "province", None),
    ("3301", "国网杭州供电公司", "city", "33"),
    ("330122", "国网桐庐县供电公司", "county", "3301"),
    ("33012201", "桐君供电所", "station", "330122"),
    ("33012202", "分水供电所", "station", "330122"),
    ("330127", "国网淳安县供电公司", "county", "3301"),
    ("33012701", "千岛湖供电所", "station", "330127"),
    ("3302", "国网宁波供电公司", "city", "33"),
    ("330226", "国网宁海县供电公司", "county", "3302"),
    ("33022603", "长街供电所", "station", "330226"),
]
AREAS = [
    (1, "迎春社区", "杭州市", "桐庐县", "桐君街道", "urban", "33012201"),
    (2, "梅蓉村", "杭州市", "桐庐县", "桐君街道", "rural", "33012201"),
    (3, "分水社区", "杭州市", "桐庐县", "分水镇", "urban", "33012202"),
    (4, "迎春社区", "杭州市", "淳安县", "千岛湖镇", "urban", "33012701"),
    (5, "金峰村", "杭州市", "淳安县", "千岛湖镇", "rural", "33012701"),
    (6, "长街社区", "宁波市", "宁海县", "长街镇", "urban", "33022603"),
    (7, "城南社区", "杭州市", "桐庐县", "城南街道", "urban", "33012201"),
]


async def seed_places(platform: Platform) -> None:
    async with platform.sessions() as session:
        for uid, name, level, parent in UNITS:
            session.add(Unit(id=uid, name=name, level=level, parent_id=parent))
            await session.flush()
        for aid, name, city, county, street, site, unit in AREAS:
            session.add(Area(id=aid, name=name, city=city, county=county, street=street, site_class=site,
                             unit_id=unit))
        await session.flush()
        session.add(PlaceAlias(alias="千岛湖", level="street", city="杭州市", county="淳安县", street="千岛湖镇"))
        await session.commit()
    platform.places.invalidate()
