"""Demo tickets in every state, made by replaying real histories through the
ticket engine with the clock set back, so their deadlines, warnings and
overdue marks are exactly what the engine would have produced."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from backend.context import Platform
from backend.models import Account, Ticket
from backend.scheduler import sweep
from backend.tickets.intake import create_ticket
from backend.tickets.progress import add_event
from backend.tickets.schemas import TicketCreate, TicketEventCreate

CHANNELS = ("web", "wechat", "ivr", "phone")


@dataclass(frozen=True)
class Story:
    """A ticket created `age` ago, then the steps at their offsets from creation."""

    type: str
    description: str
    age: timedelta
    steps: tuple[tuple[timedelta, dict], ...] = ()
    extra: dict = field(default_factory=dict)


M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
REPLY = {"kind": "reply", "note": "已核实处理，并向客户说明情况。"}
STORIES = (
    Story("fault_repair", "家里突然停电，邻居家也没电", 10 * M),
    Story("fault_repair", "楼道电表箱冒火花，有焦糊味", 30 * M, ((2 * M, {"kind": "dispatch"}),),
          {"safety_hazard": True}),
    Story("fault_repair", "电压不稳，灯一闪一闪的", 80 * M,
          ((2 * M, {"kind": "dispatch"}), (3 * M, {"kind": "accept"}), (40 * M, {"kind": "arrive"}))),
    Story("fault_repair", "台区整片停电，已经两个小时", 3 * D,
          ((3 * M, {"kind": "dispatch"}), (4 * M, {"kind": "accept"}), (35 * M, {"kind": "arrive"}),
           (2 * H, {"kind": "restore"}), (1 * D, {"kind": "callback", "rating": "satisfied"}))),
    Story("fault_repair", "门口电线杆倾斜，电线垂得很低", 4 * H,
          ((3 * M, {"kind": "dispatch"}), (5 * M, {"kind": "accept"}))),
    Story("complaint", "抄表员上门态度恶劣，说话很难听", 5 * H, ((3 * H, {"kind": "contact"}),),
          {"complaint_class": "service"}),
    Story("complaint", "新装电表申请十多天了还没人来装", 3 * D,
          ((2 * H, {"kind": "contact"}), (2 * D, REPLY)), {"complaint_class": "business"}),
    Story("complaint", "电费账单金额和电表读数对不上", 20 * D,
          ((1 * H, {"kind": "contact"}), (3 * D, REPLY),
           (4 * D, {"kind": "callback", "rating": "basically_satisfied"})),
          {"complaint_class": "business"}),
    Story("complaint", "一个月停了四次电，再不解决我就打12345市长热线", 2 * H, (),
          {"complaint_class": "outage"}),
    Story("complaint", "营业厅排队两个小时，窗口只开了一个", 30 * H, (), {"complaint_class": "service"}),
    Story("complaint", "施工队把我家门前的路挖了没恢复", 10 * D,
          ((2 * H, {"kind": "contact"}), (4 * D, REPLY),
           (5 * D, {"kind": "callback", "rating": "dissatisfied"})),
          {"complaint_class": "grid_construction"}),
    Story("complaint", "停电导致养殖场增氧机停转，鱼大量死亡", 40 * M, (),
          {"complaint_class": "outage", "grade": "major"}),
    Story("service_request", "已经交清欠费，申请恢复供电", 6 * H, ((10 * M, {"kind": "dispatch"}),),
          {"kind": "reconnection"}),
    Story("service_request", "怀疑电表走得快，申请校验电表", 8 * D,
          ((1 * H, {"kind": "dispatch"}), (2 * H, {"kind": "accept"}), (3 * D, REPLY),
           (4 * D, {"kind": "callback", "rating": "satisfied"})), {"kind": "meter_test"}),
    Story("suggestion", "希望计划停电能提前发短信通知", 2 * D),
    Story("praise", "抢修师傅半夜冒雨来修，非常负责", 4 * D,
          ((1 * D, {"kind": "reply", "note": "已转达并通报表扬抢修班组。"}), (1 * D, {"kind": "close"}))),
    Story("report", "有人在小区私接电线偷电", 5 * D, ((1 * D, {"kind": "dispatch"}),)),
    Story("consultation", "峰谷电价怎么申请，需要什么材料", 1 * D,
          ((2 * H, {"kind": "reply", "note": "已电话告知办理方式与材料。"}),
           (3 * H, {"kind": "callback", "rating": "satisfied"}))),
)


async def seed_demo_tickets(platform: Platform, *, rng_seed: int = 95598, rounds: int = 3) -> int:
    """Create `rounds` tickets per story (plus a repeat complaint and a chase);
    does nothing when tickets already exist."""
    async with platform.sessions() as session:
        if await session.scalar(select(func.count(Ticket.id))):
            return 0
        accounts = (await session.scalars(select(Account).order_by(Account.id))).all()
    rng = random.Random(rng_seed)
    now, real_clock = platform.clock(), platform.clock
    created: list[str] = []
    try:
        for index in range(rounds * len(STORIES)):
            story = STORIES[index % len(STORIES)]
            account = rng.choice(accounts)
            created.append(await _replay(platform, story, account, now, rng))
        # A repeat: the customer of the closed billing complaint complains again.
        closed = next(i for i, s in enumerate(STORIES) if "账单" in s.description)
        repeat_of = await _account_of(platform, created[closed])
        if repeat_of is not None:
            story = Story("complaint", "上次反映的电费问题又出现了，账单还是不对", 3 * H, (),
                          {"complaint_class": "business"})
            created.append(await _replay(platform, story, repeat_of, now, rng))
        # A chase on the repair whose crew is late.
        late = next(i for i, s in enumerate(STORIES) if "倾斜" in s.description)
        platform.clock = lambda: now - 30 * M
        body = TicketCreate(type="urge", channel="phone", description="等了很久还没人来修",
                            parent_id=created[late], customer={"phone": "13800000000"})
        await create_ticket(platform, body, actor="demo")
    finally:
        platform.clock = real_clock
    await sweep(platform, now)
    return len(created) + 1


async def _account_of(platform: Platform, ticket_no: str) -> Account | None:
    async with platform.sessions() as session:
        phone = await session.scalar(select(Ticket.customer_phone).where(Ticket.ticket_no == ticket_no))
        return await session.scalar(select(Account).where(Account.phone == phone).limit(1))


async def _replay(platform: Platform, story: Story, account: Account, now: datetime,
                  rng: random.Random) -> str:
    start = now - story.age
    platform.clock = lambda: start
    body = TicketCreate(
        type=story.type, channel=rng.choice(CHANNELS), description=story.description,
        customer={"name": account.name, "phone": account.phone, "account_no": account.account_no},
        **story.extra,
    )
    row_id, _ = await create_ticket(platform, body, actor="demo")
    async with platform.sessions() as session:
        ticket_no = await session.scalar(select(Ticket.ticket_no).where(Ticket.id == row_id))
    for offset, step in story.steps:
        at = start + offset
        platform.clock = lambda at=at: at
        await add_event(platform, ticket_no, TicketEventCreate(**step), actor="demo")
    return ticket_no
