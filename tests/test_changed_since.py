"""--changed-since on the static path, and the GitHub Action's shell logic against a real git repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from promptlint.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


TODO = "Answer briefly and politely.\nTODO: {}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a base commit and a head commit, plus uncommitted changes."""
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    for name in ("kept", "modified", "renamed", "deleted", "staged"):
        _write(tmp_path / "prompts" / f"{name}.md", TODO.format(name))
    _write(tmp_path / "README.md", "# Project\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "tag", "base")
    _write(tmp_path / "prompts" / "modified.md", TODO.format("modified again"))
    _git(tmp_path, "mv", "prompts/renamed.md", "prompts/moved.md")
    _git(tmp_path, "rm", "-q", "prompts/deleted.md")
    _write(tmp_path / "README.md", "# Project\n\nTODO: docs\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "head")
    _write(tmp_path / "prompts" / "staged.md", TODO.format("staged change"))
    _git(tmp_path, "add", "prompts/staged.md")
    _write(tmp_path / "prompts" / "untracked.md", TODO.format("new"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _linted(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    code = main(["check", "--format", "json", "--select", "PRM", *args])
    assert code in (0, 1)
    return sorted({f["filename"] for f in json.loads(capsys.readouterr().out)})


def test_changed_since_picks_exactly_the_changed_prompt_files(repo: Path, capsys) -> None:
    assert _linted(capsys, ".") == [
        "prompts/kept.md",
        "prompts/modified.md",
        "prompts/moved.md",
        "prompts/staged.md",
        "prompts/untracked.md",
    ]
    assert _linted(capsys, "--changed-since", "base", ".") == [
        "prompts/modified.md",
        "prompts/moved.md",
        "prompts/staged.md",
        "prompts/untracked.md",
    ]
    # An explicit file that did not change is left out too.
    assert _linted(capsys, "--changed-since", "base", "prompts/kept.md", "prompts/modified.md") == [
        "prompts/modified.md"
    ]


def test_changed_since_bad_ref_is_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--changed-since", "no-such-ref", "."]) == 2
    assert "no-such-ref" in capsys.readouterr().err


def _action(repo: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLINT_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update({f"PROMPTLINT_{k.upper()}": v for k, v in inputs.items()})
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "action-run.sh")],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_action_annotates_changed_files_and_writes_sarif(repo: Path) -> None:
    proc = _action(repo, base_ref="base", args="--select PRM", sarif="out.sarif")
    assert proc.returncode == 1, proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    files = sorted({line.split("file=")[1].split(",")[0] for line in annotations})
    assert files == ["prompts/modified.md", "prompts/moved.md", "prompts/staged.md", "prompts/untracked.md"]
    assert all("PRM006" in line for line in annotations)
    sarif = json.loads((repo / "out.sarif").read_text(encoding="utf-8"))
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"])
    assert uris == files


def test_action_without_base_lints_everything_and_passes_when_clean(repo: Path) -> None:
    proc = _action(repo, base_ref="", args="--select PRM")
    assert proc.returncode == 1
    assert "prompts/kept.md" in proc.stdout
    for path in (repo / "prompts").glob("*.md"):
        path.write_text("Answer briefly and politely.\n", encoding="utf-8")
    proc = _action(repo, base_ref="base", args="--select PRM")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::" not in proc.stdout


def test_action_masks_the_key_and_never_prints_it(repo: Path) -> None:
    proc = _action(repo, base_ref="base", args="--select PRM --dry-run", api_key="sk-test-SECRET987")
    assert "::add-mask::sk-test-SECRET987" in proc.stdout
    rest = proc.stdout.replace("::add-mask::sk-test-SECRET987", "")
    assert "SECRET987" not in rest and "SECRET987" not in proc.stderr
