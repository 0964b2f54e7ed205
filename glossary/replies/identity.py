"""Identity: the 户号 and the last four digits of the phone on record, checked before any account data."""
from __future__ import annotations

from glossary.wording import Sentence

ACCOUNT_AGAIN: Sentence = (
    "抱歉，没有识别到户号。户号是10位或13位数字，可在电费账单或“网上国网”App中查看，请您核对后再说一次。",
    "抱歉没有听清户号，请您再说一次，或者按键输入。")
LAST4_AGAIN: Sentence = ("请您输入该户号预留手机号码的后4位数字。", "请输入预留手机号码的后四位。")
VERIFY_UNAVAILABLE: Sentence = ("非常抱歉，系统暂时无法核实身份，请稍后再试或拨打95598。",
                                "非常抱歉，暂时无法核实身份，请稍后再试，或说转人工。")
MISMATCH: Sentence = (
    "抱歉，户号与手机号码后4位和登记信息不一致。请您核对后重新输入后4位；如户号有误，可以直接说新的户号。",
    "抱歉，信息不一致，请重新输入手机号码后四位。")
NOT_VERIFIED: Sentence = ("抱歉，身份核实未完成，暂时无法为您查询账户信息。如需帮助，您可以说“转人工”。",
                          "抱歉，身份核实未完成，暂时无法查询。需要帮助请说转人工。")
