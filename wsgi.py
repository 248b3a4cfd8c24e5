"""WSGI entry point for production servers: `gunicorn -c gunicorn.conf.py wsgi:app`.

Configuration comes from the environment (docs/operations.md); with `PORTAL_ENV=production` the
app refuses to start without `SECRET_KEY`.

Behind a reverse proxy, set `PROXY_HOPS` to the number of proxies in front of gunicorn (usually
1): the client address then comes from the X-Forwarded-For entry that the nearest proxy added,
so that the per-IP login limit and the audit log see the client, not the proxy. Entries further
left are the client's own claims and are never trusted.
"""
import os

from werkzeug.middleware.proxy_fix import ProxyFix

from portal import create_app


def behind_proxies(app, hops: int):
    """Take the client address and scheme from the last `hops` proxies' X-Forwarded-* headers."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                x_prefix=0)
    return app


app = behind_proxies(create_app(), int(os.environ.get("PROXY_HOPS", "0") or 0))
