"""`python -m bot.rasa_server run …`: Rasa's own command line with bot/rasa_patches.py (cheaper,
never different) and bot/action_servers.py (several action servers, one kept session) applied.

Every Rasa process of ours starts here (bot/launch.py, deploy files, the tests), so what is
measured and tested is what runs. Arguments are Rasa's, unchanged.
"""
from __future__ import annotations

from bot import action_servers, rasa_patches


def main() -> None:
    rasa_patches.apply()
    action_servers.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
