"""``zhucun serve``: the planner's desk in the browser, on the public API of :mod:`optimizer`.

Server-rendered pages (FastAPI + Jinja2), every asset shipped in this package (no CDN), solves
in background processes tracked in a SQLite job store in the workdir."""

from __future__ import annotations

import os
from pathlib import Path

from optimizer.web.desk import Settings
from optimizer.web.security import ensure_token, is_local


def create_app(workdir: str | Path, host: str = "127.0.0.1", **options):
    """The ASGI app over ``workdir`` (for tests and for ``serve``)."""
    from optimizer.web.app import create_app as make

    settings = Settings(Path(workdir), host=host, **options)
    return make(settings)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workdir: str | Path = "zhucun-desk",
    dask: str | None = None,
) -> int:
    """Run the desk until Ctrl-C. Beyond 127.0.0.1 every page needs the access token, made at
    the first such start and shown once on the console (only its hash is kept). ``dask``: a
    scheduler address; whole solves are queued on that cluster instead of this machine."""
    import uvicorn

    os.umask(0o077)  # the desk's files hold personal data: private whatever the shell's umask
    workdir = Path(workdir)
    token_hash = None
    if not is_local(host):
        from optimizer.web.security import private_dir

        private_dir(workdir)
        token_hash, token = ensure_token(workdir)
        if token:
            print(f"访问口令（只显示这一次，请记下）：{token}")
        else:
            print("需要访问口令：首次启动时已显示（忘记时删除工作目录中的 desk-auth.json 后重启）")
    app = create_app(workdir, host=host, token_hash=token_hash, dask=dask)
    if dask:
        print(f"求解在 Dask 集群上进行：{dask}")
    shown = f"[{host}]" if ":" in host else host
    print(f"驻村选派工作台：http://{shown}:{port}/  （工作目录 {workdir}，按 Ctrl-C 停止）")
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
    return 0


__all__ = ["create_app", "serve"]
