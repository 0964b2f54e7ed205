"""Customer doors that reach the conversation router (backend/router), one module per channel.

- ivr.py        the hotline IVR's text channel, POST /webhooks/ivr
- ivr_turns.py  its turns: one stored answer per (call_id, seq)
- ivr_callback.py  a call that ends mid-form becomes a ticket for a callback
- wechat.py     the WeChat Official Account, GET|POST /webhooks/wechat (signatures, safe mode)
- wechat_channel.py  what a WeChat push does: one turn per push, the reply budget, its Delivery
- wechat_messages.py  WeChat's XML in (parsed safely) and out, menu keys, merged replies
- wechat_api.py  the shared access token and the customer-service message API
- wechat_quota.py  the customer-service send window per customer, and the choices last listed
"""
