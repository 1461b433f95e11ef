"""The command line starts without the numerical stack: its help and option parsing import no
NumPy, pandas, Numba, SciPy, matplotlib or the API, which the commands load when they run (the
time it takes is measured in benchmarks/latency.py, not here)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "pandas", "numba", "scipy", "matplotlib", "peninsula.api")


def loaded_after(code: str) -> list[str]:
    probe = (f"{code}\nimport sys\n"
             f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.splitlines()[-1]
    assert out.startswith("loaded:"), out
    return [m for m in out.removeprefix("loaded:").split(",") if m]


def test_importing_the_command_line_loads_no_numerical_stack():
    assert loaded_after("import peninsula.cli") == []
    assert loaded_after("import peninsula") == []


def test_help_of_every_command_group_loads_no_numerical_stack():
    code = ("from peninsula.cli import app\n"
            "for args in (['--help'], ['run', '--help'], ['report', '--help'],"
            " ['rivalries', 'predict', '--help'], ['plot', 'fan', '--help']):\n"
            "    try:\n        app(args, standalone_mode=False)\n"
            "    except SystemExit:\n        pass")
    assert loaded_after(code) == []


def test_the_package_names_still_resolve_on_use():
    import peninsula

    assert callable(peninsula.run) and callable(peninsula.load_scenario)
    assert peninsula.Ensemble.__name__ == "Ensemble"
    assert "run" in dir(peninsula)
