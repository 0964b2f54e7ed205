"""The channels run on the real backend with the router tests' fake Rasa (WeChat: also a fake WeChat API)."""
from tests.backend.channels.wechat_fixtures import fake_wechat, wechat_settings, wx  # noqa: F401 - fixtures reused
from tests.backend.router.conftest import agents, backend, fake_rasa, router  # noqa: F401 - fixtures reused
