"""The one definition of the project's identifiers, names and masks.

- `glossary.identifiers`: what a 户号, a phone number and a ticket number look like,
  how they are read from what a customer types or says, and how a ticket number is made.
- `glossary.names`: every code the system stores (ticket types, statuses, site classes,
  outage types, clocks, ratings, …) with its one Chinese name.
- `glossary.masking`: how personal data is shown in lists, logs and transcripts (PIPL).

Pure Python with no third-party imports: the NLU components, the actions and the
backend all import it, so a rule changed here changes everywhere at once.
"""
