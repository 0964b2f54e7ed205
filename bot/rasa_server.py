"""`python -m bot.rasa_server run …`: Rasa's own command line with bot/rasa_patches.py applied.

Every Rasa process of ours starts here (bot/launch.py, deploy files, the tests), so what is
measured and tested is what runs. Arguments are Rasa's, unchanged.
"""
from __future__ import annotations

from bot import rasa_patches


def main() -> None:
    rasa_patches.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
