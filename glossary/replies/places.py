"""Places: what the assistant asks back when the words name no single supply area (actions/places.py)."""
from __future__ import annotations

from glossary.wording import Sentence

# {name}: the one place the area table found ("桐庐县迎春社区").
IS_IT: Sentence = (
    "请问您说的是{name}吗？如果不是，请说一下所在的区县。",
    "请问您说的是{name}吗？如果不是，请说一下所在的区县。")
# {mention}: the customer's word; {count}: how many places have that name; {choices}: up to three of
# them, joined by CHOICE_SEPARATOR.
WHICH_OF: Sentence = ("“{mention}”有{count}处，请问是{choices}？", "“{mention}”有{count}处，请问是{choices}？")
CHOICE_SEPARATOR: Sentence = ("，还是", "，还是")
# {kind}: the kind of place named without a name ("社区"), else ANY_PLACE.
WHICH_ONE: Sentence = (
    "请问是哪个{kind}？请说一下{kind}的名称，例如“迎春社区”“屏门村”。",
    "请问是哪个{kind}？请说一下名称。")
ANY_PLACE: Sentence = ("地方", "地方")
UNKNOWN_PLACE: Sentence = (
    "抱歉，暂未找到“{mention}”对应的供电区域。请您补充所在的区县和乡镇（街道），或者提供户号，我再为您查询。",
    "抱歉，暂未找到{mention}。请您说一下所在的区县和乡镇，或者户号。")
ASK_PLACE: Sentence = ("请告诉我小区、村或街道的名称，或者提供户号。", "请说一下小区、村或街道的名称，或者户号。")
