"""Helpers of the desk's tests: the sample county zipped for upload, a desk in a thread."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import warnings
import zipfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
SCRIPT_NAME = "<script>alert(1)</script>"
"""A cadre named like this must show as text, never run."""
POSTED = "C000150"
"""A cadre the sample's plan posts under hebei-2018 (renamed to SCRIPT_NAME in the upload)."""


def sample_zip(rename: bool = True) -> bytes:
    """The bundled sample's CSV files in a zip, inside a folder as a zipped folder has them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(SAMPLE.glob("*.csv")):
            text = path.read_text(encoding="utf-8-sig")
            if rename and path.name == "cadres.csv":
                text = re.sub(rf"^{POSTED},[^,]*,", f"{POSTED},{SCRIPT_NAME},", text, flags=re.M)
            z.writestr(f"sample-county/{path.name}", text)
    return buf.getvalue()


def client(app, raise_server_exceptions: bool = True):
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

    return TestClient(
        app, base_url="http://127.0.0.1:8000", raise_server_exceptions=raise_server_exceptions
    )


def wait_job(c, job: str, timeout: float = 120) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = c.get(f"/jobs/{job}/status.json").json()
        if status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job} still running after {timeout} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """The desk served by uvicorn in a thread (for the browser), stopped by ``close``."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        end = time.monotonic() + 20
        while not self.server.started and time.monotonic() < end:
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
