"""E-mail of notifications, sent by the worker after the notifying transaction commits."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext

from portal.core.jobs import task
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.text import render

log = logging.getLogger("portal.mail")


@task(retries=3, retry_delay=10)
def send_notification_emails(note_ids: list[int]) -> None:
    for note_id in note_ids:
        note = db.session.get(Notification, note_id)
        if note is not None:
            deliver_email(note)


def deliver_email(note: Notification) -> None:
    """Send one notification by SMTP when configured; print it to the log otherwise."""
    user = note.user
    if user is None:
        return
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render(note)
        subject = f"[{gettext('Dealer Portal')}] {body[:60]}"
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        log.info("mail to=%s subject=%s body=%s", user.email, subject, body)
        return
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], user.email, subject
    msg.set_content(body + (f"\n\n{(cfg.get('PORTAL_URL') or '')}{note.link}" if note.link else ""))
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=15) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)
