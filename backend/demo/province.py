"""Data tables for the demo province: unit tree, served areas, names, outages.

Place names are real cities, counties, towns and (where known) villages of
Zhejiang; communities and 台区 numbers are made up. Unit codes follow the
administrative division codes (杭州 3301, 淳安县 330127 …) with two more
digits for a 供电所, so they read like real operator codes.
"""
from __future__ import annotations

from dataclasses import dataclass

TARIFF_KEY = "zhejiang"
PROVINCE = ("33", "国网浙江省电力有限公司")

# An area row: (street 街道/镇/乡, community/village, site class, 10kV line).
AreaRow = tuple[str, str, str, str]


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    areas: tuple[AreaRow, ...]


@dataclass(frozen=True)
class County:
    code: str
    name: str
    stations: tuple[Station, ...]


@dataclass(frozen=True)
class City:
    code: str
    name: str
    counties: tuple[County, ...]


def _s(code: str, name: str, *areas: AreaRow) -> Station:
    return Station(code, name, areas)


# Town and county seats are urban, villages rural; mountain villages of
# 淳安 and 景宁 and the islands of 象山 are remote (特殊边远).
CITIES: tuple[City, ...] = (
    City("3301", "杭州市", (
        County("330127", "淳安县", (
            _s("33012701", "千岛湖供电所",
               ("千岛湖镇", "新安社区", "urban", "10kV 城东线"),
               ("千岛湖镇", "环湖社区", "urban", "10kV 环湖线"),
               ("千岛湖镇", "青溪花园小区", "urban", "10kV 城东线"),
               ("千岛湖镇", "金峰村", "rural", "10kV 金峰线")),
            _s("33012702", "汾口供电所",
               ("汾口镇", "汾口社区", "urban", "10kV 汾口线"),
               ("汾口镇", "宋京村", "rural", "10kV 汾口线"),
               ("屏门乡", "屏门村", "remote", "10kV 屏门线")),
            _s("33012703", "威坪供电所",
               ("威坪镇", "威坪社区", "urban", "10kV 威坪线"),
               ("威坪镇", "洞源村", "rural", "10kV 洞源线"),
               ("王阜乡", "王阜村", "remote", "10kV 王阜线")),
        )),
        County("330122", "桐庐县", (
            _s("33012201", "桐君供电所",
               ("桐君街道", "迎春社区", "urban", "10kV 迎春线"),
               ("城南街道", "金东方小区", "urban", "10kV 城南线"),
               ("桐君街道", "梅蓉村", "rural", "10kV 梅蓉线")),
            _s("33012202", "分水供电所",
               ("分水镇", "分水社区", "urban", "10kV 分水线"),
               ("分水镇", "天英村", "rural", "10kV 天英线"),
               ("百江镇", "联盟村", "rural", "10kV 百江线")),
            _s("33012203", "富春江供电所",
               ("富春江镇", "富春江社区", "urban", "10kV 七里泷线"),
               ("富春江镇", "芦茨村", "rural", "10kV 芦茨线"),
               ("富春江镇", "石舍村", "rural", "10kV 芦茨线")),
        )),
    )),
    City("3302", "宁波市", (
        County("330225", "象山县", (
            _s("33022501", "丹城供电所",
               ("丹东街道", "东谷社区", "urban", "10kV 城东线"),
               ("丹西街道", "丹峰社区", "urban", "10kV 丹峰线"),
               ("丹东街道", "东陈村", "rural", "10kV 东陈线")),
            _s("33022502", "石浦供电所",
               ("石浦镇", "渔港社区", "urban", "10kV 渔港线"),
               ("石浦镇", "东门村", "remote", "10kV 东门岛线"),
               ("高塘岛乡", "高塘村", "remote", "10kV 高塘线")),
            _s("33022503", "西周供电所",
               ("西周镇", "西周社区", "urban", "10kV 西周线"),
               ("西周镇", "儒雅洋村", "rural", "10kV 儒雅洋线"),
               ("定塘镇", "定塘村", "rural", "10kV 定塘线")),
        )),
        County("330226", "宁海县", (
            _s("33022601", "城关供电所",
               ("跃龙街道", "天河社区", "urban", "10kV 天河线"),
               ("桃源街道", "金水社区", "urban", "10kV 桃源线"),
               ("梅林街道", "梅林村", "rural", "10kV 梅林线")),
            _s("33022602", "西店供电所",
               ("西店镇", "西店社区", "urban", "10kV 西店线"),
               ("西店镇", "团堧村", "rural", "10kV 团堧线"),
               ("深甽镇", "深甽村", "rural", "10kV 深甽线")),
            _s("33022603", "长街供电所",
               ("长街镇", "长街社区", "urban", "10kV 长街线"),
               ("长街镇", "西岙村", "rural", "10kV 西岙线"),
               ("茶院乡", "许家山村", "rural", "10kV 茶院线")),
        )),
    )),
    City("3311", "丽水市", (
        County("331127", "景宁畲族自治县", (
            _s("33112701", "鹤溪供电所",
               ("鹤溪街道", "城中社区", "urban", "10kV 鹤溪线"),
               ("红星街道", "复兴社区", "urban", "10kV 红星线"),
               ("鹤溪街道", "敕木山村", "remote", "10kV 敕木山线")),
            _s("33112702", "东坑供电所",
               ("东坑镇", "东坑社区", "urban", "10kV 东坑线"),
               ("东坑镇", "深垟村", "rural", "10kV 深垟线"),
               ("毛垟乡", "毛垟村", "remote", "10kV 毛垟线")),
            _s("33112703", "英川供电所",
               ("英川镇", "英川社区", "urban", "10kV 英川线"),
               ("英川镇", "白鹤村", "remote", "10kV 白鹤线"),
               ("沙湾镇", "沙湾村", "rural", "10kV 沙湾线")),
        )),
        County("331123", "遂昌县", (
            _s("33112301", "妙高供电所",
               ("妙高街道", "北街社区", "urban", "10kV 北街线"),
               ("云峰街道", "上江社区", "urban", "10kV 云峰线"),
               ("妙高街道", "长濂村", "rural", "10kV 长濂线")),
            _s("33112302", "石练供电所",
               ("石练镇", "石练社区", "urban", "10kV 石练线"),
               ("石练镇", "淤溪村", "rural", "10kV 淤溪线"),
               ("大柘镇", "大柘村", "rural", "10kV 大柘线")),
            _s("33112303", "王村口供电所",
               ("王村口镇", "王村口社区", "urban", "10kV 王村口线"),
               ("王村口镇", "桥西村", "remote", "10kV 桥西线"),
               ("湖山乡", "湖山村", "remote", "10kV 湖山线")),
        )),
    )),
)


# Other names customers use for a place (the place_aliases table): (alias, level,
# county, street). Names without their suffix (迎春, 淳安, 屏门) need no row; the
# resolver derives them where they are unambiguous (backend/places.py).
PLACE_ALIASES: tuple[tuple[str, str, str, str | None], ...] = (
    ("千岛湖", "street", "淳安县", "千岛湖镇"),  # what everyone calls the county seat
    ("排岭", "street", "淳安县", "千岛湖镇"),  # its name until 2001
    ("淳安县城", "street", "淳安县", "千岛湖镇"),
    ("丹城", "street", "象山县", "丹东街道"),  # the old 丹城镇, now two 街道:
    ("丹城", "street", "象山县", "丹西街道"),  # a customer saying 丹城 is asked which
    ("畲乡", "county", "景宁畲族自治县", None),
)


def city_company(city: City) -> str:
    return f"国网{city.name.removesuffix('市')}供电公司"


def county_company(county: County) -> str:
    return f"国网{county.name}供电公司"


# --- customers ------------------------------------------------------------------

# Relative number of accounts per area and 台区 per area, by site class.
ACCOUNT_WEIGHT = {"urban": 30, "rural": 14, "remote": 6}
TRANSFORMER_AREAS = {"urban": (3, 5), "rural": (2, 3), "remote": (1, 2)}
TOTAL_ACCOUNTS = 1000

# Share of accounts per payment behaviour; the rest pay on time.
TIME_OF_USE_SHARE = 0.35
PREPAID_SHARE = 0.03
LATE_PAYER_SHARE = 0.06
ARREARS_SHARE = 0.04
DISCONNECTED_COUNT = 5

# Median monthly kWh by site class (lognormal spread) and heavy users
# (villas, home workshops) who reach tiers 2 and 3.
MEDIAN_KWH = {"urban": 190, "rural": 160, "remote": 120}
KWH_SPREAD = 0.45
HEAVY_USER_SHARE = 0.08
HEAVY_USER_FACTOR = 2.2
# Zhejiang households peak with air conditioning in July/August and with
# heating in January/February; spring and autumn are the troughs.
SEASONAL = {1: 1.30, 2: 1.20, 3: 0.90, 4: 0.78, 5: 0.80, 6: 0.98,
            7: 1.45, 8: 1.55, 9: 1.10, 10: 0.80, 11: 0.85, 12: 1.10}
VALLEY_SHARE = (0.28, 0.50)  # time-of-use households: valley share of the month

SURNAMES = (
    "陈王张李吴周徐林金胡杨朱黄叶潘钱沈何郑方孙章汪俞蒋邵毛戴程许"
    "应楼童施姚鲍余洪项柳严袁赵刘谢梁宋范丁傅夏卢")
# 畲族 families are common in 景宁.
SHE_SURNAMES = "蓝雷钟"
# Given-name characters; one pool per name so that a name reads naturally.
GIVEN_CHARS = (
    "伟强军建国华明平林峰杰海波斌勇涛鹏志永春荣兴根水金福祥德文浩宇",
    "芳丽娟英萍红霞燕梅玲琴敏静婷雪慧颖佳秀兰月凤艳洁晓丹琳亚素桂",
)
PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "157", "158", "159", "166", "173", "177", "180", "181",
    "182", "183", "186", "187", "188", "189", "191", "198", "199",
)

# --- outages ----------------------------------------------------------------------

@dataclass(frozen=True)
class OutagePlan:
    """One notice, placed relative to the seeding day (Asia/Shanghai)."""

    type: str  # planned / temporary / fault
    status: str
    day: int  # days from today
    start: str  # "HH:MM"
    hours: float  # announced duration
    areas: tuple[tuple[str, str], ...]  # (county, community/village)
    reason: str
    single_transformer: bool = False  # only one 台区 of the (first) area
    notice_hours: float = 0  # published this long before start; faults are published after
    restored_after: float | None = None  # hours after start
    customers: int | None = None  # customers_interrupted as recorded; None: counted from the accounts


# Planned notices are published at least 7 days ahead, temporary at least
# 24 h ahead (service-rules.md, grade A).
OUTAGE_PLANS: tuple[OutagePlan, ...] = (
    OutagePlan("planned", "restored", -10, "08:00", 9, (("景宁畲族自治县", "英川社区"),),
               "10kV 线路秋季检修", notice_hours=24 * 8, restored_after=8.2),
    OutagePlan("planned", "restored", -6, "08:00", 8,
               (("淳安县", "新安社区"), ("淳安县", "环湖社区")),
               "10kV 线路检修", notice_hours=24 * 9, restored_after=7.3),
    OutagePlan("fault", "restored", -2, "14:10", 4, (("象山县", "东门村"),),
               "大风致树木倒伏压断低压线路，抢修", single_transformer=True,
               notice_hours=-0.3, restored_after=2.9),
    OutagePlan("planned", "restored", -1, "07:30", 5, (("遂昌县", "长濂村"),),
               "配电变压器更换", notice_hours=24 * 7, restored_after=4.6),
    OutagePlan("fault", "in_progress", 0, "06:40", 6, (("景宁畲族自治县", "敕木山村"),),
               "10kV 线路树障放电跳闸，故障抢修", single_transformer=True, notice_hours=-0.4),
    OutagePlan("planned", "in_progress", 0, "08:00", 9, (("宁海县", "天河社区"),),
               "台区低压线路改造", single_transformer=True, notice_hours=24 * 8),
    OutagePlan("temporary", "scheduled", 1, "13:00", 2, (("宁海县", "团堧村"),),
               "配电变压器渗油临时检修", single_transformer=True, notice_hours=26),
    OutagePlan("planned", "scheduled", 1, "08:30", 7,
               (("桐庐县", "芦茨村"), ("桐庐县", "石舍村")),
               "10kV 线路检修及消缺", notice_hours=24 * 7),
    OutagePlan("planned", "scheduled", 2, "07:00", 11,
               (("淳安县", "宋京村"), ("淳安县", "屏门村")),
               "10kV 线路改造（更换老旧导线）", notice_hours=24 * 10),
    OutagePlan("planned", "scheduled", 3, "09:00", 5, (("象山县", "丹峰社区"),),
               "配电设备更换", single_transformer=True, notice_hours=24 * 8),
    OutagePlan("planned", "cancelled", 4, "08:00", 8, (("桐庐县", "分水社区"),),
               "10kV 线路检修（因天气原因取消）", notice_hours=24 * 9),
    OutagePlan("planned", "scheduled", 5, "08:00", 9,
               (("遂昌县", "王村口社区"), ("遂昌县", "桥西村")),
               "线路迁改（配合道路拓宽工程）", notice_hours=24 * 7),
    # The three months before: the record behind supply reliability (backend/reliability.py).
    # Mostly one 台区 for a few hours, as most real interruptions are; the faults with a count
    # were recorded by the dispatcher (a line fault cuts customers the scopes do not list).
    OutagePlan("fault", "restored", -17, "19:20", 3, (("桐庐县", "梅蓉村"),),
               "雷击致配电变压器跌落式熔断器熔断", single_transformer=True, notice_hours=-0.5,
               restored_after=1.8),
    OutagePlan("planned", "restored", -23, "08:00", 6, (("宁海县", "金水社区"),),
               "配电变压器增容改造", single_transformer=True, notice_hours=24 * 8, restored_after=5.5),
    OutagePlan("fault", "restored", -29, "02:15", 2, (("淳安县", "汾口社区"),),
               "10kV 汾口线电缆中间接头击穿", notice_hours=-0.3, restored_after=1.4, customers=9),
    OutagePlan("temporary", "restored", -36, "13:00", 2, (("象山县", "渔港社区"),),
               "低压分支箱发热临时消缺", single_transformer=True, notice_hours=30, restored_after=1.5),
    OutagePlan("planned", "restored", -44, "07:30", 7, (("景宁畲族自治县", "东坑社区"),),
               "10kV 东坑线杆塔迁移", single_transformer=True, notice_hours=24 * 9, restored_after=6.2),
    OutagePlan("fault", "restored", -51, "16:40", 3, (("遂昌县", "石练社区"),),
               "车辆撞击电杆致线路跳闸", notice_hours=-0.4, restored_after=2.3, customers=11),
    OutagePlan("planned", "restored", -58, "08:00", 5, (("淳安县", "威坪社区"),),
               "台区低压线路改造", single_transformer=True, notice_hours=24 * 7, restored_after=4.7),
    OutagePlan("temporary", "restored", -65, "14:00", 2, (("桐庐县", "分水社区"),),
               "配电变压器渗油临时检修", single_transformer=True, notice_hours=26, restored_after=2.2),
    OutagePlan("fault", "restored", -72, "10:05", 4, (("象山县", "高塘村"),),
               "台风致海岛线路断线，抢修", single_transformer=True, notice_hours=-0.5, restored_after=3.6),
    OutagePlan("planned", "restored", -80, "08:30", 6, (("宁海县", "长街社区"),),
               "10kV 线路检修", single_transformer=True, notice_hours=24 * 10, restored_after=5.8),
    OutagePlan("fault", "restored", -86, "21:30", 2, (("淳安县", "环湖社区"),),
               "用户侧故障越级跳闸", notice_hours=-0.3, restored_after=0.9, customers=6),
)

# --- staff ------------------------------------------------------------------------

# DEMO ONLY. These accounts and their published passwords exist solely in a
# database seeded with demo data (DEMO_DATA=1) so the console can be tried
# out; a production database is never seeded. Change or deactivate them
# before any real use.
DEMO_STAFF: tuple[dict[str, str], ...] = tuple(
    {"username": u, "display_name": d, "role": r, "unit_id": unit, "password": f"demo-{u}-95598"}
    for u, d, r, unit in (
        ("admin", "系统管理员", "admin", "33"),
        # The contact centre: staff of the root unit serve every customer's conversation
        # (backend/api/scope.py, the transcript rule): the hotline's two agents and their shift lead.
        ("agent1", "李客服", "agent", "33"),
        ("agent2", "陈客服", "agent", "33"),
        ("lead", "赵班长", "supervisor", "33"),
        # A city's supervisor (dashboard, improvement plans) and a county's ticket handler: they
        # see their subtree's tickets, and only their own customers' conversations.
        ("supervisor", "王主管", "supervisor", "3301"),
        ("chunan", "周工", "agent", "330127"),
    )
)
