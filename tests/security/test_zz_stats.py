import collections, pytest
from tests.security import test_fuzz as tf

STATS = collections.Counter()
orig = tf._send
def logging_send(sweep, method, url, data, multipart):
    real_open = sweep.client.open
    def spy(*a, **k):
        r = real_open(*a, **k)
        STATS[(sweep.persona, method, url.split("?")[0], r.status_code, tf._refused(r))] += 1
        return r
    sweep.client.open = spy
    try:
        orig(sweep, method, url, data, multipart)
    finally:
        sweep.client.open = real_open

@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = False
    return app_config

@pytest.fixture
def backend(): return "sqlite"

@pytest.mark.parametrize("persona", list(tf.PERSONAS))
def test_stats(app, persona, monkeypatch):
    monkeypatch.setattr(tf, "_send", logging_send)
    tf.test_every_form_survives_bad_input(app, persona)
    for k, v in sorted(STATS.items()): print(k, v)
