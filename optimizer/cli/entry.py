"""The ``zhucun`` command: parse, dispatch, and turn every failure into a clear line and an
exit code (:class:`~optimizer.cli.exitcode.ExitCode`)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

from optimizer.cli.commands import (
    cmd_check,
    cmd_explain,
    cmd_generate,
    cmd_serve,
    cmd_template,
    cmd_verify,
)
from optimizer.cli.exitcode import ExitCode
from optimizer.cli.lang import argv_lang
from optimizer.cli.ledger import COMMANDS as LEDGER_COMMANDS
from optimizer.cli.parser import build_parser
from optimizer.cli.scenarios import COMMANDS as SCENARIO_COMMANDS
from optimizer.cli.solve import cmd_solve
from optimizer.data.errors import InputError, Problem
from optimizer.scale.budget import process_age

COMMANDS = {
    "serve": cmd_serve,
    "solve": cmd_solve,
    "verify": cmd_verify,
    "explain": cmd_explain,
    "check": cmd_check,
    "generate": cmd_generate,
    "template": cmd_template,
    **SCENARIO_COMMANDS,
    **LEDGER_COMMANDS,
}


OS_ERRORS_ZH = {FileExistsError: "已存在", PermissionError: "没有权限",
                IsADirectoryError: "是文件夹", NotADirectoryError: "不是文件夹"}  # fmt: skip


class QuietWhenClosed:
    """stdout that falls silent once its reader has gone (``zhucun compare … | head``): the
    command still finishes, writes its files and gives its exit code."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())  # later writes and the final flush go nowhere
        os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """The command; as the process itself, it ends at once when its work is written, so an
    abandoned LP still solving in the background (its limit past) cannot delay or abort the
    exit."""
    code = run_command(argv)
    if argv is None and "optimizer.scale.lpbounds" in sys.modules:
        from optimizer.scale.lpbounds import LpBounds

        if LpBounds.running():
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return code


def run_command(argv: list[str] | None = None) -> int:
    # the time limit counts from the process's start when this is the command itself (the
    # interpreter's start-up and imports included), from here when called from Python
    started = time.monotonic() - (process_age() if argv is None else 0.0)
    if sys.stdout is not None and sys.stdout is sys.__stdout__:
        sys.stdout = QuietWhenClosed(sys.stdout)
    lang = argv_lang(argv)
    args = build_parser(lang).parse_args(argv)
    args.started = started
    lang = getattr(args, "lang", lang)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem.render(lang), file=sys.stderr)
        return ExitCode.BAD_INPUT
    except (FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        why = exc.strerror or str(exc)
        problem = Problem(str(exc.filename or ""), why, zh=OS_ERRORS_ZH.get(type(exc), why))
        print(problem.render(lang), file=sys.stderr)
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        print("已中断" if lang == "zh" else "interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a bug, not bad input: say so briefly unless debugging
        if os.environ.get("ZHUCUN_DEBUG"):
            raise
        print(
            f"内部错误：{type(exc).__name__}: {exc}（设置 ZHUCUN_DEBUG=1 可看详情）"
            if lang == "zh"
            else f"internal error: {type(exc).__name__}: {exc} (set ZHUCUN_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL_ERROR
