class ImportFailed(Exception):
    """Validation failed; nothing was written. ``problems`` maps file → messages."""

    def __init__(self, problems: dict[Path, list[str]]) -> None:
        super().__init__("; ".join(m for ms in problems.values() for m in ms))
        self.problems = problems



# --- validation context --------------------------------------------------------------

class _Context:
    """What rows are checked against: areas, tariffs, and accounts in the DB or this run."""

    def __init__(self, session: Any, tariff_dir: Path | None) -> None:
        self.session = session
        self.tariff_dir = tariff_dir
        self.tariffs = set(available_tariffs(tariff_dir))
        self.areas: dict[str, list[Area]] = {}
        self.db_accounts: dict[str, tuple[int, str]] = {}  # 户号 -> (id, tariff)
        self.file_accounts: dict[str, str | None] = {}  # 户号 -> tariff given in this run

    async def load(self, numbers: set[str]) -> None:
        if not self.areas:
            for area in (await self.session.execute(select(Area))).scalars():
                self.areas.setdefault(area.name, []).append(area)
        wanted = sorted(numbers - set(self.db_accounts))
        for i in range(0, len(wanted), _CHUNK):
            stmt = select(Account.account_no, Account.id, Account.tariff).where(
                Account.account_no.in_(wanted[i:i + _CHUNK]))
            for no, id_, tariff in (await self.session.execute(stmt)).all():
                self.db_accounts[no] = (id_, tariff)

    def area(self, row: Row, name: str, county: str) -> Area | None:
        found = [a for a in self.areas.get(name, []) if not county or a.county == county]
        if not found:
            row.fail(f"区域“{name}”不存在" + (f"于{county}" if county else ""))
        elif len(found) > 1:
            counties = "、".join(sorted({a.county for a in found}))
            row.fail(f"区域“{name}”重名（{counties}），请填写区县")
        return found[0] if len(found) == 1 else None

    def tariff_key(self, row: Row, given: str | None, account_no: str | None) -> str | None:
        if given:
            if given not in self.tariffs:
                row.fail(f"电价“{given}”不存在（可用：{'、'.join(sorted(self.tariffs))}）")
            return given
        known = self.file_accounts.get(account_no or "") or self.db_accounts.get(account_no or "", (0, None))[1]
        if known:
            return known
        if len(self.tariffs) == 1:
            return next(iter(self.tariffs))
        row.fail("电价不能为空（有多个电价表，请注明）")
        return None


def _numbers(rows: list[Row]) -> set[str]:
    out = set()
    for row in rows:
        try:
            out.add(parse_account_no(row.raw("account_no")))
        except ValueError:
            pass
    return out
