"""``peninsula dashboard``: serve the Streamlit dashboard (src/peninsula/app/dashboard.py).

The server listens on 127.0.0.1 unless ``--host`` says otherwise (the dashboard has no login:
another address exposes it to whoever can reach it), runs headless, sends no usage statistics
and accepts uploads of at most 1 MB at the server (the page itself takes 256 KB).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import app
from peninsula.cli.options import PriorOpt

# the script's path only: the CLI does not import the dashboard layer
SCRIPT = Path(__file__).resolve().parents[1] / "app" / "dashboard.py"
PORTS = (1024, 65535)
SERVER_MAX_UPLOAD_MB = 1  # the smallest limit the server takes; the page checks 256 KB


def streamlit_command(host: str, port: int, prior: bool = False) -> list[str]:
    """The command that serves the dashboard on ``host``:``port`` (``prior``: the page draws
    every parameter from the table's priors, passed as the script's own --prior)."""
    return [sys.executable, "-m", "streamlit", "run", str(SCRIPT),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "minimal",  # no hosting ("Deploy") menu on a local tool
            "--server.maxUploadSize", str(SERVER_MAX_UPLOAD_MB),
            "--server.runOnSave", "false", "--server.fileWatcherType", "none",
            *(["--", "--prior"] if prior else [])]


def check_port(port: int) -> None:
    """A port the dashboard may use: 1024-65535 (lower ports need administrator rights)."""
    if not PORTS[0] <= port <= PORTS[1]:
        R.usage_error(f"--port: {port} is outside {PORTS[0]}-{PORTS[1]}; choose a port in "
                      "that range, e.g. 8501")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@app.command("dashboard")
def dashboard(
    port: Annotated[int, typer.Option(help="Port to serve on (1024-65535).")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on; the default serves only "
                                           "this computer.")] = "127.0.0.1",
    prior: PriorOpt = False,
) -> None:
    """Open the dashboard in a browser at http://HOST:PORT: explore an ensemble, compare
    policies, sweep a lever, find where war happens, and see the record beside a replay."""
    check_port(port)
    if importlib.util.find_spec("streamlit") is None:
        R.usage_error("the dashboard needs Streamlit: pip install 'streamlit>=1.40'")
    if not is_loopback(host):
        sys.stderr.write(f"warning: serving on {host}: the dashboard has no login; anyone who "
                         "can reach this address can use it\n")
    sys.stderr.write(f"Peninsula dashboard: http://{host}:{port} (Ctrl-C stops it)\n")
    try:
        code = subprocess.call(streamlit_command(host, port, prior))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    raise typer.Exit(code)
