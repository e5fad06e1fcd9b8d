"""The set-up's system packages (scripts/system-packages.sh), run against shimmed commands.

Each case builds a directory of stand-ins for `id`, `apt-get`, `fc-list` and the commands
whose presence the script looks for, runs the script with only that directory on PATH, and
checks what it asked apt for and what it told the person.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-packages.sh"
SH = shutil.which("sh") or "/bin/sh"
ALL_NEEDS = ["chromium", "gettext", "fonts", "npm"]


@dataclass
class Run:
    returncode: int
    output: str
    apt_calls: list[str]


def _shim(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!{SH}\n{body}\n")
    path.chmod(0o755)


def run_script(
    tmp_path: Path,
    *,
    present: set[str],
    root: bool = True,
    apt_refuses: frozenset[str] = frozenset(),
    needs: list[str] | None = None,
) -> Run:
    """Run the script where the commands in `present` exist (`chromium`, `msgfmt`, `npm`,
    and `fonts` for a CJK font known to fontconfig)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    log.touch()
    # The script's own helpers, taken from the machine.
    for tool in ("sed",):
        (bin_dir / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    _shim(bin_dir, "id", f'[ "$1" = -u ] && echo {0 if root else 1000}')
    refuse = " ".join(sorted(apt_refuses))
    _shim(
        bin_dir,
        "apt-get",
        f"""echo "$*" >> {log}
for arg in "$@"; do
  for bad in {refuse}; do
    if [ "$arg" = "$bad" ]; then
      echo "E: Unable to correct problems, you have held broken packages." >&2
      exit 100
    fi
  done
done
exit 0""",
    )
    _shim(
        bin_dir,
        "fc-list",
        "echo 'NotoSansCJK-Regular.ttc: Noto Sans CJK SC'" if "fonts" in present else "exit 0",
    )
    for command in {"chromium", "msgfmt", "npm"} & present:
        _shim(bin_dir, command, "exit 0")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(
        [SH, str(SCRIPT), *(needs if needs is not None else ALL_NEEDS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    calls = [line for line in log.read_text().splitlines() if line]
    return Run(done.returncode, done.stdout + done.stderr, calls)


def installs(run: Run) -> list[str]:
    return [call.split()[-1] for call in run.apt_calls if call.split()[:1] != ["update"]]


def test_npm_present_chromium_absent_installs_only_what_is_missing(tmp_path: Path) -> None:
    """Node.js from its own repository brings npm: Debian's npm is never asked for."""
    run = run_script(tmp_path, present={"npm", "msgfmt"}, apt_refuses=frozenset({"npm"}))
    assert run.returncode == 0, run.output
    assert installs(run) == ["chromium", "fonts-noto-cjk"]
    assert run.apt_calls[0].startswith("update")
    assert all("install -y" in call for call in run.apt_calls[1:])


def test_everything_absent_installs_each_package_on_its_own(tmp_path: Path) -> None:
    """One package apt refuses is named with apt's reason; the others are still installed."""
    run = run_script(tmp_path, present=set(), apt_refuses=frozenset({"npm"}))
    assert installs(run) == ["chromium", "gettext", "fonts-noto-cjk", "npm"]
    assert [call for call in run.apt_calls if call.startswith("update")] == ["update -qq"]
    assert run.returncode == 1
    assert "apt could not install npm" in run.output
    assert "held broken packages" in run.output
    assert "Not installed: npm" in run.output


def test_not_root_names_the_exact_packages_and_installs_nothing(tmp_path: Path) -> None:
    run = run_script(tmp_path, present={"npm"}, root=False)
    assert run.returncode == 1
    assert run.apt_calls == []
    assert run.output.splitlines() == [
        "Anyun needs these system packages, which are not installed: "
        "chromium gettext fonts-noto-cjk",
        "Install them as root, for example on Debian/Ubuntu: "
        "apt-get install chromium gettext fonts-noto-cjk",
    ]


def test_met_needs_ask_apt_for_nothing(tmp_path: Path) -> None:
    run = run_script(tmp_path, present={"chromium", "msgfmt", "npm", "fonts"}, root=False)
    assert (run.returncode, run.apt_calls, run.output) == (0, [], "")


def test_only_the_needs_asked_for_are_checked(tmp_path: Path) -> None:
    """`make run` asks for gettext and npm only: a missing Chromium does not stop it."""
    run = run_script(tmp_path, present={"msgfmt", "npm"}, root=False, needs=["gettext", "npm"])
    assert (run.returncode, run.apt_calls) == (0, [])


def test_an_unknown_need_is_refused(tmp_path: Path) -> None:
    run = run_script(tmp_path, present=set(), needs=["java"])
    assert run.returncode == 2
    assert "unknown need 'java'" in run.output


def test_script_is_posix_sh(tmp_path: Path) -> None:
    """The script parses under `sh -n` (dash on Debian), not only bash."""
    done = subprocess.run(
        [SH, "-n", str(SCRIPT)], capture_output=True, text=True, check=False, timeout=30
    )
    assert done.returncode == 0, done.stderr
