"""`python -m bot.rasa_server run …`: Rasa's own command line with bot/rasa_patches.py (cheaper,
never different) and bot/action_servers.py (several action servers, one kept session) applied.

Every Rasa process of ours starts here (bot/launch.py, deploy files, the tests), so what is
measured and tested is what runs. Arguments are Rasa's, unchanged.
"""
from __future__ import annotations

import logging
from typing import Any

from backend.logs import install, log_format
from bot import action_servers, rasa_patches


def with_our_log_lines(configure: Any) -> Any:
    """Rasa's colored-log set-up, then our format on its handlers: masked, the message's request id
    on every line, JSON under LOG_FORMAT=json (backend/logs.py), as the other processes write."""
    fmt = log_format()  # a wrong LOG_FORMAT stops the start here, before the model loads

    def configure_then_ours(*args: Any, **kwargs: Any) -> None:
        configure(*args, **kwargs)
        for handler in logging.getLogger().handlers:
            install(handler, fmt)
    return configure_then_ours


def main() -> None:
    rasa_patches.apply()
    action_servers.apply()
    import rasa.utils.io

    rasa.utils.io.configure_colored_logging = with_our_log_lines(rasa.utils.io.configure_colored_logging)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
