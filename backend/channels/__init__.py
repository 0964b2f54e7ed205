"""Customer doors that reach the conversation router (backend/router), one module per channel.

- ivr.py        the hotline IVR's text channel, POST /webhooks/ivr
- ivr_turns.py  its turns: one stored answer per (call_id, seq)
- ivr_callback.py  a call that ends mid-form becomes a ticket for a callback
"""
