"""Custom Rasa NLU components: text normaliser, identifier extractor, date resolver."""
