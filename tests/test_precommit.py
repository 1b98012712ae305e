"""The pre-commit hooks: the manifest is valid, sends the right files, and really runs promptlint."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / ".pre-commit-hooks.yaml"
PROJECT_CONFIG = REPO / ".pre-commit-config.yaml"
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
NETWORK_ERRORS = (
    "Could not find a version that satisfies",
    "No matching distribution found",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "NewConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ProxyError",
    "SSLError",
)


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def pre_commit(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 120):
    return subprocess.run(
        [PRE_COMMIT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_manifest_is_valid() -> None:
    proc = pre_commit("validate-manifest", str(MANIFEST), cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_project_config_is_valid() -> None:
    proc = pre_commit("validate-config", str(PROJECT_CONFIG), cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    config = yaml.safe_load(PROJECT_CONFIG.read_text())
    repos = {repo["repo"]: repo for repo in config["repos"]}
    ruff_ids = [hook["id"] for hook in repos["https://github.com/astral-sh/ruff-pre-commit"]["hooks"]]
    assert "ruff-format" in ruff_ids and ("ruff" in ruff_ids or "ruff-check" in ruff_ids)
    local = repos["local"]["hooks"][0]
    assert local["language"] == "system"
    # The examples hold findings on purpose: the hook shows them without blocking (exit 2 still fails).
    assert local["entry"] == "promptlint check --force-exclude --exit-zero"
    assert re.search(local["files"], "examples/a.prompt.md") and not re.search(local["files"], "tests/a.md")


def test_hook_definitions() -> None:
    by_id = hooks()
    main = by_id["promptlint"]
    assert main["entry"] == "promptlint check --force-exclude"
    assert main["language"] == "python"
    assert main["require_serial"] is True
    assert str(main["minimum_pre_commit_version"]) == "2.9.2"
    assert main.get("stages") is None  # runs on commit by default
    ensemble = by_id["promptlint-ensemble"]
    assert ensemble["entry"] == "promptlint check --ensemble --force-exclude"
    assert ensemble["stages"] == ["manual"]
    assert ensemble["files"] == main["files"]
    assert ensemble.get("types") == main.get("types")
    assert ensemble.get("types_or") == main.get("types_or")


def selected_by_hook(hook: dict, path: Path, relpath: str) -> bool:
    """pre-commit's filter: ``files`` and ``exclude`` regexes AND every ``types`` tag AND one ``types_or`` tag."""
    from identify.identify import tags_from_path

    if not re.search(hook.get("files", ""), relpath):
        return False
    if hook.get("exclude") and re.search(hook["exclude"], relpath):
        return False
    tags = tags_from_path(str(path))
    types = set(hook.get("types", ["file"]))
    types_or = set(hook.get("types_or", []))
    return types <= tags and (not types_or or bool(types_or & tags))


SENT = [
    "AGENTS.md",
    "prompts/a.md",
    ".cursor/rules/style.mdc",
    "support.prompty",
    "notes.prompt",
    "review.prompt.md",
    "chat.prompt.yml",
    "chat.yaml",
    "messages.json",
    "app.py",
    "system.txt",
    "guide.markdown",
    ".cursorrules",
    ".windsurfrules",
    "sub/.clinerules",
]
NOT_SENT = ["logo.png", "setup.cfg", "pyproject.toml", "script.sh", "notes.prompt.bak", "x.cursorrules"]


@pytest.mark.parametrize("relpath", SENT + NOT_SENT)
def test_hook_file_selection(tmp_path: Path, relpath: str) -> None:
    path = tmp_path / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Answer politely.\n")
    for hook in hooks().values():
        assert selected_by_hook(hook, path, relpath) is (relpath in SENT), (hook["id"], relpath)


def test_hook_skips_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "logo.prompt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not selected_by_hook(hooks()["promptlint"], path, "logo.prompt")


# --------------------------------------------------------------------------- try-repo (installs from PyPI)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def try_repo(work: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = pre_commit("try-repo", str(REPO), "promptlint", "--all-files", "--verbose", cwd=work, env=env, timeout=1500)
    output = proc.stdout + proc.stderr
    log = Path(env["PRE_COMMIT_HOME"]) / "pre-commit.log"
    if log.exists():
        output += log.read_text(errors="replace")
    if proc.returncode not in (0, 1) and any(marker in output for marker in NETWORK_ERRORS):
        pytest.skip(f"pre-commit could not install promptlint (no network to the package index): {output[-2000:]}")
    if ".pre-commit-hooks.yaml is not a file" in output:
        pytest.fail(
            "try-repo sees only git HEAD plus tracked changes, and .pre-commit-hooks.yaml is not tracked: "
            "commit it (or `git add` it) first.\n" + output[-2000:]
        )
    return proc


@pytest.mark.slow
def test_try_repo(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path / "work"
    work.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    git("init", "-q", cwd=work)
    git("config", "user.name", "promptlint tests", cwd=work)
    git("config", "user.email", "tests@example.invalid", cwd=work)
    files = {
        # Keep the run about the hook plumbing, not about rules other families may add.
        "promptlint.toml": 'select = ["PRM"]\n',
        "prompts/a.md": "Answer politely.\nKeep answers short.\n",
        "prompts/b.md": "Answer politely.\nTODO: add the refund policy.\n",
        ".cursor/rules/style.mdc": "Use British spelling.\nFIXME: decide on the tone.\n",
        "README.md": "# Demo\n\nTODO: not a prompt, excluded by promptlint's defaults.\n",
    }
    for name, text in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git("add", "-A", cwd=work)

    proc = try_repo(work, env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "prompts/b.md:2:1: PRM006" in output
    assert ".cursor/rules/style.mdc:2:1: PRM006" in output  # .mdc files really reach the hook
    assert "README.md" not in re.findall(r"^\S+?(?=:\d+:\d+: )", output, re.M)  # --force-exclude drops it
    assert "prompts/a.md:" not in output

    (work / "prompts" / "b.md").write_text("Answer politely.\nRefunds follow the policy below.\n")
    (work / ".cursor" / "rules" / "style.mdc").write_text("Use British spelling.\n")
    git("add", "-A", cwd=work)
    proc = try_repo(work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PRM006" not in proc.stdout
