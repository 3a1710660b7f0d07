"""The README's "Using the apps" sessions, pasted into bash against ``make dev-<app>``: every
command runs as written, and each prints what the README shows under it.

Under a command, the ``# `` lines are its output: each must appear in it, in order, with
``...`` standing for any text (a random code, an id, a timestamp) and the README's
``http://127.0.0.1:8081``-style address for the app's ``APP_URL``. Chaos's block is a list of
traps (it ends with the server), not a session, so it is not run here.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.dev_run import app_port, dev_data_dir, serving
from tools import REPO_ROOT
from tools.backends.process import LOCALHOST

pytestmark = pytest.mark.slow

README = (REPO_ROOT / "README.md").read_text()
USING_THE_APPS = README.split("## Using the apps", 1)[1].split("\n## ", 1)[0]
SESSION_APPS = ["shortener", "users_redis", "todo_postgres"]
#: What a printed command's output begins with, so the outputs can be told apart.
MARK = "@@readme-command@@"


def session(app: str) -> tuple[str, str]:
    """The README's documented address of ``app`` and its session."""
    heading = re.search(rf"^### {app} \(`make dev-[a-z-]+`: port (\d+)\)$", USING_THE_APPS, re.MULTILINE)
    assert heading is not None, f"no section for {app}"
    section = USING_THE_APPS[heading.end() :].split("\n### ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)
    return f"http://{LOCALHOST}:{heading.group(1)}", block


def commands(block: str) -> list[tuple[str, list[str]]]:
    """Each command of ``block`` with the output lines the README shows under it."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("# "):
            steps[-1][1].append(line[2:])
        elif line.strip():
            steps.append((line, []))
    return steps


def expected(line: str, documented_url: str, app_url: str) -> re.Pattern[str]:
    literal = line.replace(documented_url, app_url)
    return re.compile(".*".join(re.escape(part) for part in literal.split("...")))


@pytest.mark.parametrize("app", SESSION_APPS)
def test_the_readme_session_runs_as_documented(app: str) -> None:
    documented_url, block = session(app)
    steps = commands(block)
    assert any(shown for _, shown in steps), "a session shows some output"
    script = "".join(f"echo {MARK}\n{command}\necho\n" for command, _ in steps)
    port = app_port()
    app_url = f"http://{LOCALHOST}:{port}"
    with dev_data_dir() as data_dir, serving(app.replace("_", "-"), port, data_dir):
        done = subprocess.run(
            ["bash", "-c", script],
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "APP_URL": app_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    outputs = done.stdout.replace("\r", "").split(f"{MARK}\n")[1:]
    assert len(outputs) == len(steps)
    for (command, shown), output in zip(steps, outputs, strict=True):
        lines = iter(output.splitlines())
        for line in shown:
            pattern = expected(line, documented_url, app_url)
            assert any(pattern.fullmatch(printed) for printed in lines), (
                f"{command!r} should print {line!r}; it printed:\n{output}"
            )
