"""CSV import of accounts, bills and outage notices (营销系统导出 → 本平台).

Usage::

    python -m backend.importer accounts 户档.csv
    python -m backend.importer bills 电费.csv [--database-url URL]
    python -m backend.importer accounts 户档.csv bills 电费.csv   # one transaction

All or nothing: every row of every file is checked first. If any row is bad
nothing is imported, each problem is printed as ``第N行: <问题>`` (N is the
line in the file, the header is line 1) and the exit status is 1. Otherwise
everything is written in one transaction and the counts are printed.

Files: UTF-8 with or without BOM, or GBK/GB18030 (Excel "CSV" on Chinese
Windows); the encoding is detected. Headers are matched exactly; the English
field name (in brackets) is accepted too. Empty lines are skipped. Columns
marked * are required; unknown columns are an error (typos would otherwise
drop data silently). Dates are YYYY-MM-DD (or YYYY/M/D), times
YYYY-MM-DD HH:MM[:SS] in Beijing time.

accounts — upsert by 户号: a new 户号 is inserted, a known one updated; an
empty optional cell leaves the stored value unchanged (a new account gets the
default).
    户号* (account_no)        10 digits, or 13 starting with a province code + 0 (glossary.identifiers);
                              spaces/dashes are ignored
    户名* (name)
    联系电话* (phone)         11-digit mobile or landline with area code (0571-64881234), stored as
                              digits only; alias 手机号
    地址* (address)
    社区* (area)              the served area (社区/村/小区) as in the area table
    区县 (county)             needed when the area name exists in several counties
    台区* (transformer_area)  e.g. 千岛湖镇3号台区
    电价 (tariff)             tariff key, e.g. zhejiang; default: the only configured tariff
    峰谷电价 (time_of_use)    是/否, default 否
    费控 (prepaid)            是/否, default 否 (智能费控 prepaid)
    余额 (balance)            yuan, 2 decimals; may be negative for prepaid accounts
    状态 (status)             正常/欠费停电/销户, default 正常

bills — upsert by 户号 + 账期. The account must exist in the database or in an
accounts file earlier in the same command. Usage and price columns are always
replaced together; empty payment cells (已缴金额, 缴费时间, 缴费截止日) keep the
stored values on update.
    户号* (account_no)
    账期* (period)            YYYY-MM (also YYYY/MM, YYYYMM)
    总电量* (kwh_total)       kWh, non-negative integer
    峰电量 / 谷电量 (kwh_peak / kwh_valley)  both or neither; must add up to 总电量
    年累计电量 (annual_kwh)   cumulative kWh in the tier year including this month;
                              default: the tier year's earlier months known (database
                              and this file) plus this month
    阶梯 (tier)               default: computed from the cumulative usage
    电费金额 (amount)         taken as given; default: priced with the account's tariff
    已缴金额 (paid_amount)    default 0, not more than 电费金额
    缴费截止日 (due_date)     default: the tariff's due day of the following month
    缴费时间 (paid_at)

outages — upsert by 类型 + 开始时间 + 停电区域 + 台区 (the same notice imported
again is updated, not duplicated).
    类型* (type)              计划/临时/故障
    开始时间* (start_at), 预计恢复时间* (expected_end_at), 实际恢复时间 (restored_at)
    发布时间 (published_at)   default: the time of the import
    状态 (status)             待停电/停电中/已恢复/已取消; default from the times
                              (已恢复 if restored, 待停电 if not yet started, else 停电中)
    停电区域* (areas)         area names separated by 、 , ; or /
    区县 (county)             disambiguates the area names
    台区 (transformer_area)   only this 台区 of the areas is off; empty = whole areas
    线路 (line)               e.g. 10kV 城东线
    原因* (reason)
    停电范围 (area_text)      announcement text; default built from the areas

Messages never echo names or phone numbers and show only the last 4 digits of
a 户号 (PIPL): the line number is enough to find the row.
"""
from .csv_import import KIND_LABELS, ImportFailed, ImportResult, import_csv, import_files
from .reading import COLUMNS

__all__ = ["COLUMNS", "KIND_LABELS", "ImportFailed", "ImportResult", "import_csv", "import_files"]
