"""Every sentence the assistant's actions compose for a customer, by domain.

The assistant's fixed replies are in domain.yml (`responses:`); the ones the
actions fill in with a customer's own figures, deadlines and ticket numbers are
here, one module per domain. docs/customer-wording.md shows both, with the
platform's own sentences (glossary/wording.py) and the web pages' (backend/web/),
side by side with their hotline forms (`make wording` regenerates it).

Terms:
- A `Sentence` (glossary.wording) is a pair (text, spoken): the text for web
  chat and WeChat, the spoken form for the hotline's speech synthesis: no links,
  no 95598 (callers are already on it), "说" where the text says "回复", short.
- Placeholders are named ({ticket}, {reply}); the action computes every value
  (numbers, dates, masked ids) and actions.text.say_sentence fills the form for
  the customer's channel in. Both forms use the same names; where a spoken form
  leaves some out (the hotline gives the total, not the breakdown), its module's
  SPOKEN_OMITS names them, and tests/scripts/test_wording_sheet.py holds every
  other pair to the same placeholders.
- A fragment is an entry that goes into a bigger sentence (its comment says
  which); an empty form means that channel's sentence does without it.

Not an input of the NLU model (bot/model_cache.py leaves glossary/replies/ out
of the model's hash): rewording a sentence never retrains.
"""
from __future__ import annotations

# The domains, in the order docs/customer-wording.md shows them.
DOMAINS = ("billing", "outages", "repairs", "complaints", "enquiries", "identity", "places", "followup",
           "refusals", "session")
