"""The package as a user installs it: `pip install .` into a fresh virtual environment, then
`ordercancel demo`, with nothing from the test extra."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_plain_install_runs_the_demo(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], capture_output=True, text=True,
                             timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]
    freeze = subprocess.run([str(venv / "bin" / "pip"), "freeze"], capture_output=True, text=True, check=True).stdout
    assert "pytest" not in freeze and "hypothesis" not in freeze  # the test extra stays out
    compiled = subprocess.run([str(venv / "bin" / "python"), "-c", "from automation import language as l; "
                               "print(sorted(p.parent.parent.name for p in l.CATALOGS.glob('*/LC_MESSAGES/*.mo')))"],
                              cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert compiled.strip() == "['da', 'de', 'sv']"  # the catalogs compiled at install

    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERCANCEL_") and k != "PYTHONPATH"}
    if os.environ.get("ORDERCANCEL_BROWSER_EXECUTABLE"):
        env["ORDERCANCEL_BROWSER_EXECUTABLE"] = os.environ["ORDERCANCEL_BROWSER_EXECUTABLE"]
    demo = subprocess.run([str(venv / "bin" / "ordercancel"), "demo"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)

    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "Glass Teapot with Infuser: cancelled" in demo.stdout.split("after:")[-1]
