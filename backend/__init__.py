"""The 95598 service platform: tickets and their deadlines, outages, accounts, units."""
