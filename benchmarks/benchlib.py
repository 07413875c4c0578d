"""The shared plumbing of TinyTorch's benchmarks: thread control, timing, the ratio table, JSON.

A benchmark here answers one question — how fast is TinyTorch next to PyTorch, on this machine,
right now? — so both run in the same process, on the same inputs, interleaved, and the answer
is a ratio (ours / theirs), not an absolute number that means nothing on another machine.

Shape of a benchmark script (see bench_mlp.py):

    def measure(threads: int | None) -> dict:          # runs in a fresh interpreter per setting
        ...build the models, then...
        rates = benchlib.time_interleaved({"tinytorch": step_a, "torch": step_b}, ...)
        return {...}

    if __name__ == "__main__":
        benchlib.main(__file__, measure, report)       # parent: one child per thread setting

Why a fresh interpreter per thread setting: OpenBLAS (behind NumPy) and OpenMP read
OMP_NUM_THREADS & co. once, when the library loads. The only dependable way to get a
single-threaded NumPy without an extra dependency (threadpoolctl) is to set them before
`import numpy` — i.e. in a new process.

Standard library only at import time: this file is imported before NumPy in the child.

Not a speed benchmark, but here because it reuses bench_gpt.py's PyTorch mirror:
parity_gpt_training.py trains the same GPT from the same weights on the same batches for 200
steps in both frameworks and checks that the two loss curves agree within 1 % at every step
(README.md's Benchmarks section gives the measured difference; a 20-step tiny version runs in
the test suite, tests/oracle/test_gpt_training_parity.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from tito.lib.machine import blas_name, cpu_name

# Every variable a BLAS or OpenMP runtime might read for its thread count.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

RESULTS_DIR = Path(__file__).resolve().parent / "results"


# ----------------------------------------------------------------------------------------------
# Thread settings: one child process each
# ----------------------------------------------------------------------------------------------
def thread_setting(text: str) -> int | None:
    """`1`, `2`, … or `default` (None: leave every library at its own default)."""
    if text == "default":
        return None
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a thread setting is a whole number ≥ 1 or 'default', got {text!r}")
    return int(text)


def setting_name(threads: int | None) -> str:
    return "default" if threads is None else f"{threads} thread" + ("s" if threads > 1 else "")


PROJECT = Path(__file__).resolve().parents[1]  # the checkout whose tinytorch is measured


def child_environment(threads: int | None) -> dict[str, str]:
    """This process's environment with the thread variables set to `threads` (or removed), and this
    checkout first on PYTHONPATH, as tito runs things: the course tool installs no tinytorch."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))
    if threads is not None:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    # Both frameworks share one process. PyTorch's OpenMP threads spin-wait after each call and
    # took the cores from NumPy's BLAS threads in the next block (measured 2026-12-06, GPT step,
    # default threads: TinyTorch 7,038 tokens/s spinning, 10,741 passive; torch 16,731 vs 16,548).
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def set_torch_threads(threads: int | None) -> None:
    """PyTorch has its own pool (it ignores OpenBLAS's variable); pin it the same way."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)


# ----------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------
def time_interleaved(steps: dict[str, Callable[[], Any]], *, calls: int, repeats: int,
                     warmup: int, pause: float = 0.2) -> dict[str, dict[str, float]]:
    """Calls per second of each function, as the median over `repeats` timed blocks.

    Each block calls one function `calls` times in a row. The blocks of the different
    functions take turns (A B C A B C …), so a slow phase of the machine (another process, the
    CPU clocking down) hits every contestant alike instead of whichever happened to run then.
    The median ignores the odd block interrupted by something else. `warmup` untimed calls
    first: caches, allocator pools and lazily built kernels settle before the clock starts.

    `pause` seconds of sleep before each block: after its last job a BLAS or OpenMP worker
    thread keeps spinning for a while, waiting for more work. On a machine with few cores that
    spinning steals a core from whichever library runs next — the contestants would be timing
    each other's idle threads. Sleeping lets the previous pool park first.
    """
    for step in steps.values():
        for _ in range(warmup):
            step()
    seconds: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(calls):
                step()
            seconds[name].append(time.perf_counter() - start)
    return {name: summarize(times, calls) for name, times in seconds.items()}


def summarize(block_seconds: list[float], calls: int) -> dict[str, float]:
    """Median rate, and the spread (slowest and fastest block) that says how far to trust it."""
    rates = sorted(calls / s for s in block_seconds)
    return {"per_s": statistics.median(rates), "min_per_s": rates[0], "max_per_s": rates[-1],
            "ms": 1000 / statistics.median(rates)}


def time_phases(phases: list[tuple[str, Callable[[Any], Any]]], *, calls: int, repeats: int,
                warmup: int, pause: float = 0.2) -> dict[str, float]:
    """Median milliseconds of each phase of a pipeline, e.g. forward → backward → update.

    `phases` is [(name, fn)]; each fn gets the previous one's return value (the first gets
    None). The clock is read between phases — a few hundred nanoseconds, far below the
    phases measured here.
    """
    def one_pass(times: list[float] | None) -> None:
        value = None
        for i, (_, fn) in enumerate(phases):
            start = time.perf_counter()
            value = fn(value)
            if times is not None:
                times[i] += time.perf_counter() - start

    for _ in range(warmup):
        one_pass(None)
    blocks = []
    for _ in range(repeats):
        time.sleep(pause)  # as in time_interleaved: let other thread pools park
        times = [0.0] * len(phases)
        for _ in range(calls):
            one_pass(times)
        blocks.append(times)
    return {name: 1000 * statistics.median(block[i] for block in blocks) / calls
            for i, (name, _) in enumerate(phases)}


# ----------------------------------------------------------------------------------------------
# Where a number was measured
# ----------------------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    import numpy as np
    import torch

    return {"cpu": cpu_name(), "logical_cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "blas": blas_name(),
            "torch": torch.__version__}


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------
def machine_text() -> str:
    """`AMD EPYC, 2 logical CPUs; numpy 2.4.6 (scipy-openblas …), torch 2.13.0+cpu`: a report's first line ends so."""
    info = machine_info()
    return (f"{info['cpu']}, {info['logical_cpus']} logical CPUs; numpy {info['numpy']} ({info['blas']}), "
            f"torch {info['torch']}")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A plain, aligned text table (first column left-aligned, the numbers right-aligned)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def write_json(path: Path, record: dict[str, Any]) -> None:
    """Write `record` atomically: an interrupted run leaves the previous file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------
# The driver: parent runs one child per thread setting, then reports
# ----------------------------------------------------------------------------------------------
def parse_args(script: str, description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python benchmarks/{Path(script).name}", description=description)
    parser.add_argument("--threads", type=thread_setting, nargs="+", default=[1, None],
                        help="thread settings to measure, each in its own process (default: 1 default)")
    parser.add_argument("--repeats", type=int, default=9, help="timed blocks per contestant (median reported)")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter blocks: a rough number in seconds")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default: benchmarks/results/<script>.json, the "
                             "recorded run the README's rows come from; results/quick/<script>.json with --quick)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # internal: measure, write here
    parser.add_argument("--child-threads", type=thread_setting, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json is None:  # a rough --quick run must never replace the recorded results
        args.json = RESULTS_DIR / ("quick" if args.quick else "") / f"{Path(script).stem}.json"
    return args


def readme_threads(setting: dict[str, Any]) -> str:
    """README's threads column: `1`, or `default (2)` with PyTorch's thread count when it has one."""
    if setting["threads"] == "1 thread":
        return "1"
    return f"{setting['threads']} ({setting['torch_threads']})" if "torch_threads" in setting else setting["threads"]


def print_loads(results: list[dict]) -> None:
    """The load average before → after each setting's run: the evidence of other work on the machine."""
    loads = ", ".join(f"{r['threads']}: {r['load_average_1min'][0]}→{r['load_average_1min'][1]}" for r in results)
    print(f"\nload average during the runs (other programs slow both frameworks alike): {loads}")


def main(script: str, description: str, measure: Callable[[int | None, argparse.Namespace], dict],
         report: Callable[[list[dict]], None], readme_rows: Callable[[dict], str]) -> None:
    """`--readme-rows`: print `readme_rows(recorded results)`, README's rows of results/<script>.json.
    Otherwise the parent: for each thread setting, re-run `script` as a child with the thread
    variables set before NumPy loads; the child calls `measure(threads, args)` and writes its dict
    as JSON. Then the parent calls `report(results)` and writes all of it to --json."""
    if sys.argv[1:] == ["--readme-rows"]:
        recorded = RESULTS_DIR / f"{Path(script).stem}.json"
        print(readme_rows(json.loads(recorded.read_text(encoding="utf-8"))))
        return
    args = parse_args(script, description)
    if args.child is not None:  # we are the child: the environment is already set
        set_torch_threads(args.child_threads)
        load_before = os.getloadavg()[0]
        result = measure(args.child_threads, args)
        # Other programs running at the same time slow everything down; keep the evidence.
        result["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        write_json(args.child, result)
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for threads in args.threads:
            out = Path(tmp) / f"{setting_name(threads)}.json"
            print(f"measuring with {setting_name(threads)} …", flush=True)
            passthrough = ["--repeats", str(args.repeats)] + (["--quick"] if args.quick else [])
            command = [sys.executable, str(Path(script).resolve()), "--child", str(out),
                       "--child-threads", "default" if threads is None else str(threads), *passthrough]
            if subprocess.run(command, env=child_environment(threads)).returncode != 0:
                sys.exit(f"the {setting_name(threads)} measurement failed (its error is above)")
            results.append(json.loads(out.read_text(encoding="utf-8")))
    print()
    report(results)
    write_json(args.json, {"benchmark": Path(script).stem, "quick": args.quick,
                           "repeats": args.repeats, "date": time.strftime("%Y-%m-%d"),
                           "machine": machine_info(), "settings": results})
    print(f"\nwrote {args.json}")
