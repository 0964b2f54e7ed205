"""The assistant's custom actions (rasa_sdk), split by domain; all backend
calls go through actions.backend."""
