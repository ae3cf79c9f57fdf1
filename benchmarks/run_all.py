"""Every benchmark, one after the other (`make bench`)."""

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent

for name in ("bench_cold_start", "bench_sandbox_calls", "bench_form_submits", "bench_headless_lab"):
    print(f"== {name}")
    runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
    print()
