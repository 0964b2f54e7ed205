"""Names Rasa itself gives, which our code outside Rasa reads (the router's metrics, the actions).

Not a model input (bot/model_cache.py): Rasa defines these names, we only recognise them.
"""
from __future__ import annotations

# The intent Rasa's FallbackClassifier predicts when the assistant did not understand.
FALLBACK_INTENT = "nlu_fallback"
