"""Demo data: a small Zhejiang province with customers, bills, outages and staff."""
from .province import DEMO_STAFF
from .seed import seed_demo

__all__ = ["DEMO_STAFF", "seed_demo"]
