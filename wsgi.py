"""WSGI entry point for production servers: `gunicorn -c gunicorn.conf.py wsgi:app`.

Configuration comes from the environment (see docs/operations.md); with `PORTAL_ENV=production`
the app refuses to start without `SECRET_KEY`.
"""
from portal import create_app

app = create_app()
