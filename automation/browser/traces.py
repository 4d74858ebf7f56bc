"""Playwright traces kept as evidence, rewritten so no secret header, cookie or value is left in them."""
from __future__ import annotations

import io
import json
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

SECRET_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}


def blank_secret_fields(value: Any) -> Any:
    """A trace event with every secret header value and cookie value blanked, found by structure
    (header name, cookie list), whatever the values are."""
    if isinstance(value, list):
        return [blank_secret_fields(v) for v in value]
    if not isinstance(value, dict):
        return value
    cleaned = {k: blank_secret_fields(v) for k, v in value.items()}
    if str(cleaned.get("name", "")).lower() in SECRET_HEADERS and "value" in cleaned:
        cleaned["value"] = "***"
    for key in ("cookies", "cookie"):
        if isinstance(cleaned.get(key), list):
            cleaned[key] = [{**c, "value": "***"} if isinstance(c, dict) else "***" for c in cleaned[key]]
    return cleaned


def scrubbed_zip(path: Path, secrets: list[str]) -> bytes:
    """A trace archive rewritten: its event logs parsed and their secret headers and cookies
    blanked, then every secret value (and its URL-encoded form) replaced in every entry."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename.endswith((".trace", ".network")):
                events = []
                for line in data.split(b"\n"):
                    try:
                        events.append(json.dumps(blank_secret_fields(json.loads(line))).encode())
                    except ValueError:
                        events.append(line)
                data = b"\n".join(events)
            for secret in secrets:
                data = data.replace(secret.encode(), b"***")
                data = data.replace(urllib.parse.quote(secret, safe="").encode(), b"***")
            out.writestr(info, data)
    return buffer.getvalue()
