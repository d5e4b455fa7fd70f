"""Each module imports on its own, whichever is imported first: a script (bench/reads.py imports
api.stakeholders.service first) met an import cycle that the app's own import order hid."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# In a fresh interpreter: every service and router module, and every top-level one, each after forgetting all of api.
PROBE = """
import importlib, pkgutil, sys
import api
names = sorted(m.name for m in pkgutil.walk_packages(api.__path__, "api.")
               if m.name.count(".") == 1 or m.name.rsplit(".", 1)[1] in ("service", "router"))
failed = []
for name in names:
    for loaded in [n for n in sys.modules if n == "api" or n.startswith("api.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_service_router_and_top_level_module_imports_on_its_own():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    count, *failed = result.stdout.strip().split("\n")
    assert int(count) > 60 and failed == [], result.stdout
