"""Assistant-side code of the power-service assistant (Rasa components, shared helpers)."""
