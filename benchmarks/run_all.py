"""Every benchmark, one after the other (`make bench`)."""

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent

for name in ("bench_cold_start", "bench_sandbox_calls", "bench_form_submits", "bench_headless_lab",
             "bench_classroom", "bench_click_to_result"):
    print(f"== {name}")
    try:
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
    except SystemExit as done:  # a benchmark's own exit code; go on with the next one
        if done.code not in (0, None):
            print(f"{name} exited with {done.code}")
    print()
