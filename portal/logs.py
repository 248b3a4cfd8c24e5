"""Structured logs: one line per request with request id, user id and duration."""
from __future__ import annotations

import json
import logging

_FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")


class KeyValueFormatter(logging.Formatter):
    def __init__(self, json_logs: bool):
        super().__init__()
        self.json_logs = json_logs

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "msg": record.getMessage()}
        data.update({k: getattr(record, k) for k in _FIELDS if hasattr(record, k)})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        if self.json_logs:
            return json.dumps(data, ensure_ascii=False)
        return " ".join(f"{k}={v}" for k, v in data.items())


def configure(level=logging.INFO, json_logs: bool = False) -> None:
    root = logging.getLogger("portal")
    if any(getattr(h, "_portal", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter(json_logs))
    handler._portal = True
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
