"""Which files get linted: include/exclude globs, .gitignore, explicit paths, symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from promptlint.config import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from promptlint.discovery import discover
from promptlint.globs import match, match_any


def touch(root: Path, *names: str, text: str = "Answer politely.\n") -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run(root: Path, paths: list[str] | None = None, **kwargs) -> tuple[list[str], list[tuple[str, str]]]:
    kwargs.setdefault("include", DEFAULT_INCLUDE)
    kwargs.setdefault("exclude", DEFAULT_EXCLUDE)
    candidates, problems = discover(paths or ["."], root=root, cwd=root, **kwargs)
    return [c.display for c in candidates], problems


PROMPT_FILES = [
    "AGENTS.md",
    "CLAUDE.md",
    "review.prompt.md",
    "rules.mdc",
    "support.prompty",
    "summarise.prompt.yml",
    "system.md",
    "chat.yaml",
    "messages.json",
    "app.py",
    "prompts/intro.md",
    "prompts/deep/er/nested.md",
    "lib/prompts/helper.md",
    ".github/copilot-instructions.md",
    ".cursor/rules/style.md",
    ".cursorrules",
]
NOT_PROMPTS = ["README.md", "CHANGELOG.md", "docs/guide.md", "notes.txt", "LICENSE", "docs/README.md", "image.png"]


def test_default_include(tmp_path: Path) -> None:
    touch(tmp_path, *PROMPT_FILES, *NOT_PROMPTS)
    found, problems = run(tmp_path)
    assert problems == []
    assert sorted(found) == sorted(PROMPT_FILES)


@pytest.mark.parametrize("folder", [".git", "node_modules", ".venv", "venv", "build", "dist", "__pycache__"])
def test_default_exclude(tmp_path: Path, folder: str) -> None:
    touch(tmp_path, "AGENTS.md", f"{folder}/AGENTS.md", f"{folder}/prompts/a.md", f"pkg/{folder}/system.md")
    found, _ = run(tmp_path)
    assert found == ["AGENTS.md"]


def test_extend_exclude_and_include(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md", "prompts/legacy/b.md", "templates/c.tmpl")
    found, _ = run(tmp_path, include=[*DEFAULT_INCLUDE, "*.tmpl"], exclude=[*DEFAULT_EXCLUDE, "prompts/legacy"])
    assert found == ["prompts/a.md", "templates/c.tmpl"]


def test_root_gitignore_with_negation_and_dir_only_pattern(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md", "prompts/drop.md", "prompts/keep.md", "out/system.md", "lib/out/system.md")
    touch(tmp_path, "system.md", "lib/prompts/a.md", "prompts/sub/a.md")
    (tmp_path / ".gitignore").write_text("# generated\nprompts/*.md\n!prompts/keep.md\nout/\n\n")
    found, _ = run(tmp_path)
    # prompts/*.md is anchored and * stays in one directory; out/ matches directories at any depth.
    assert found == ["system.md", "lib/prompts/a.md", "prompts/keep.md", "prompts/sub/a.md"]


def test_dir_only_pattern_does_not_match_files(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/out", "prompts/tmp/a.md", "prompts/b.md")
    (tmp_path / ".gitignore").write_text("out/\ntmp/\n")
    found, _ = run(tmp_path, include=[*DEFAULT_INCLUDE, "prompts/*"])
    assert found == ["prompts/b.md", "prompts/out"]


def test_nested_gitignore_applies_below_its_directory(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/x.md", "prompts/sub/x.md", "prompts/sub/y.md", "prompts/sub/deeper/x.md")
    (tmp_path / "prompts" / "sub" / ".gitignore").write_text("x.md\n")
    found, _ = run(tmp_path)
    assert found == ["prompts/x.md", "prompts/sub/y.md"]


def test_nested_gitignore_negates_a_parent_rule(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a/one.md", "prompts/a/two.md", "prompts/b/one.md")
    (tmp_path / ".gitignore").write_text("one.md\n")
    (tmp_path / "prompts" / "a" / ".gitignore").write_text("!one.md\n")
    found, _ = run(tmp_path)
    assert found == ["prompts/a/one.md", "prompts/a/two.md"]


def test_git_info_exclude_is_honoured(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md", "prompts/private.md")
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("private.md\n")
    found, _ = run(tmp_path)
    assert found == ["prompts/a.md"]


def test_respect_gitignore_false(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md", "prompts/b.md")
    (tmp_path / ".gitignore").write_text("b.md\n")
    assert run(tmp_path)[0] == ["prompts/a.md"]
    assert run(tmp_path, respect_gitignore=False)[0] == ["prompts/a.md", "prompts/b.md"]


def test_explicit_files_are_always_linted(tmp_path: Path) -> None:
    touch(tmp_path, "README.md", "docs/guide.md", "node_modules/pkg/AGENTS.md", "prompts/ignored.md")
    (tmp_path / ".gitignore").write_text("ignored.md\n")
    paths = ["README.md", "docs/guide.md", "node_modules/pkg/AGENTS.md", "prompts/ignored.md"]
    candidates, problems = discover(
        paths, root=tmp_path, include=DEFAULT_INCLUDE, exclude=DEFAULT_EXCLUDE, cwd=tmp_path
    )
    assert problems == []
    assert [c.display for c in candidates] == paths
    assert all(c.explicit for c in candidates)
    assert candidates[0].path == os.path.realpath(tmp_path / "README.md")


def test_force_exclude_filters_explicit_files(tmp_path: Path) -> None:
    touch(tmp_path, "README.md", "docs/guide.md", "node_modules/pkg/AGENTS.md", "prompts/ignored.md", "prompts/ok.md")
    touch(tmp_path, "out/system.md", "prompts/sub/hidden.md")
    (tmp_path / ".gitignore").write_text("ignored.md\nout/\n")
    (tmp_path / "prompts" / "sub" / ".gitignore").write_text("hidden.md\n")
    paths = [
        "README.md",
        "docs/guide.md",
        "node_modules/pkg/AGENTS.md",
        "prompts/ignored.md",
        "out/system.md",
        "prompts/sub/hidden.md",
        "prompts/ok.md",
    ]
    found, problems = run(tmp_path, paths, force_exclude=True)
    assert problems == []
    # Exactly what a directory walk keeps.
    assert found == ["prompts/ok.md"] == run(tmp_path)[0]
    # Without gitignore handling the ignored files come back.
    found, _ = run(tmp_path, paths, force_exclude=True, respect_gitignore=False)
    assert found == ["prompts/ignored.md", "out/system.md", "prompts/sub/hidden.md", "prompts/ok.md"]


def test_force_exclude_skips_an_excluded_directory(tmp_path: Path) -> None:
    touch(tmp_path, "node_modules/prompts/a.md", "prompts/b.md")
    assert run(tmp_path, ["node_modules", "prompts"], force_exclude=True)[0] == ["prompts/b.md"]


def test_an_excluded_directory_named_explicitly_is_walked_like_ruff(tmp_path: Path) -> None:
    """Exclusions apply below a directory named on the command line, not to it or its parents."""
    touch(tmp_path, "build/prompts/a.md", "build/node_modules/b.md", "build/deep/sub/AGENTS.md", "prompts/d.md")
    found, _ = run(tmp_path, ["build"], exclude=[*DEFAULT_EXCLUDE, "build"])
    assert found == ["build/deep/sub/AGENTS.md", "build/prompts/a.md"]  # node_modules below it stays excluded
    found, _ = run(tmp_path, ["build/deep"], exclude=[*DEFAULT_EXCLUDE, "build"])
    assert found == ["build/deep/sub/AGENTS.md"]
    assert run(tmp_path, exclude=[*DEFAULT_EXCLUDE, "build"])[0] == ["prompts/d.md"]  # a walk from the root
    assert run(tmp_path, ["build"], exclude=[*DEFAULT_EXCLUDE, "build"], force_exclude=True)[0] == []


def test_a_file_named_twice_is_linted_once(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md", "prompts/b.md")
    (tmp_path / "alias.md").symlink_to(tmp_path / "prompts" / "a.md")
    found, _ = run(tmp_path, ["prompts/a.md", "./prompts/a.md", "prompts/../prompts/a.md", "alias.md", "prompts"])
    assert found == ["prompts/a.md", "prompts/b.md"]
    found, _ = run(tmp_path, [str(tmp_path / "prompts" / "a.md"), "prompts/a.md"])
    assert found == [str(tmp_path / "prompts" / "a.md")]


def test_symlinked_file_inside_a_walk_is_deduplicated(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md")
    (tmp_path / "prompts" / "b.md").symlink_to("a.md")
    candidates, _ = discover(["."], root=tmp_path, include=DEFAULT_INCLUDE, exclude=DEFAULT_EXCLUDE, cwd=tmp_path)
    assert [(c.display, c.path) for c in candidates] == [("prompts/a.md", os.path.realpath(tmp_path / "prompts/a.md"))]


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md")
    (tmp_path / "loop").symlink_to(".")
    (tmp_path / "prompts" / "up").symlink_to("..", target_is_directory=True)
    found, problems = run(tmp_path)
    assert found == ["prompts/a.md"]
    assert problems == []
    # Naming a path through the loop still resolves to the one real file.
    found, _ = run(tmp_path, ["loop/loop/loop/prompts/a.md", "prompts/a.md"])
    assert found == ["loop/loop/loop/prompts/a.md"]


def test_symlinked_directory_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    touch(outside, "prompts/secret.md")
    project = tmp_path / "project"
    touch(project, "prompts/a.md")
    (project / "prompts" / "linked").symlink_to(outside / "prompts", target_is_directory=True)
    assert run(project)[0] == ["prompts/a.md"]


def test_nonexistent_path_is_a_problem_and_the_rest_is_found(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/a.md")
    found, problems = run(tmp_path, ["missing.md", "prompts", "gone/"])
    assert found == ["prompts/a.md"]
    assert problems == [("missing.md", "no such file or directory"), ("gone/", "no such file or directory")]


def test_dangling_symlink_named_explicitly_is_a_candidate(tmp_path: Path) -> None:
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    found, problems = run(tmp_path, ["dangling.md"])
    # It exists as a link; reading it fails later (PRM003), see test_engine.
    assert found == ["dangling.md"]
    assert problems == []


def test_order_is_stable_and_sorted(tmp_path: Path) -> None:
    names = ["prompts/z.md", "prompts/b/y.md", "prompts/a.md", "AGENTS.md", "prompts/b/a.md", "CLAUDE.md"]
    touch(tmp_path, *names)
    first, _ = run(tmp_path)
    assert first == ["AGENTS.md", "CLAUDE.md", "prompts/a.md", "prompts/z.md", "prompts/b/a.md", "prompts/b/y.md"]
    # Same tree created in another order: same result.
    other = tmp_path / "other"
    other.mkdir()
    touch(other, *reversed(names))
    assert run(other)[0] == first
    # Explicit paths keep the order they were given in.
    assert run(tmp_path, ["prompts/z.md", "AGENTS.md"])[0] == ["prompts/z.md", "AGENTS.md"]


def test_display_paths_are_relative_to_cwd(tmp_path: Path) -> None:
    touch(tmp_path, "prompts/sub/a.md")
    candidates, _ = discover(
        ["sub"], root=tmp_path, include=DEFAULT_INCLUDE, exclude=DEFAULT_EXCLUDE, cwd=tmp_path / "prompts"
    )
    assert [c.display for c in candidates] == ["sub/a.md"]
    assert not candidates[0].explicit


# --------------------------------------------------------------------------- globs


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.{md,txt}", "a.md", True),
        ("*.{md,txt}", "dir/a.txt", True),
        ("*.{md,txt}", "a.yaml", False),
        ("{system,user}.md", "x/user.md", True),
        ("{system,user}.md", "assistant.md", False),
        ("prompts/*.{md,txt}", "prompts/a.txt", True),
        ("*.md", "a/b/c.md", True),  # no slash: any depth
        ("prompts/*.md", "prompts/a.md", True),  # a slash anchors
        ("prompts/*.md", "lib/prompts/a.md", False),
        ("prompts/*.md", "prompts/sub/a.md", False),  # * stays within one name
        ("/prompts/*.md", "prompts/a.md", True),
        ("prompts/**/*.md", "prompts/a.md", True),  # **/ matches zero directories
        ("prompts/**/*.md", "prompts/x/y/z/a.md", True),
        ("prompts/**/*.md", "lib/prompts/a.md", False),
        ("**/prompts/**/*.md", "lib/prompts/a.md", True),
        ("**/prompts/**/*.md", "prompts/a.md", True),
        ("docs/**", "docs/a/b.md", True),
        ("?.md", "a.md", True),
        ("?.md", "ab.md", False),
        ("[ab].md", "b.md", True),
        ("[!ab].md", "b.md", False),
        ("[!ab].md", "c.md", True),
        ("out/", "x/out", True),
        ("a+b(c).md", "a+b(c).md", True),  # regex metacharacters are literal
        ("a.md", "aXmd", False),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert match(pattern, path) is expected


def test_match_any_matches_parent_directories() -> None:
    assert match_any(["node_modules"], "pkg/node_modules/x/a.md")
    assert match_any(["legacy/**"], "legacy/a/b.md")
    assert match_any(["*.egg-info"], "src/pkg.egg-info/PKG-INFO")
    assert not match_any(["node_modules"], "pkg/node_modules_backup/a.md")
    assert not match_any(["prompts/legacy"], "lib/prompts/legacy/a.md")


def test_brace_include_in_discovery(tmp_path: Path) -> None:
    touch(tmp_path, "a.tmpl", "b.jinja", "c.txt", "deep/d.jinja")
    found, _ = run(tmp_path, include=["*.{tmpl,jinja}"])
    assert found == ["a.tmpl", "b.jinja", "deep/d.jinja"]
    found, _ = run(tmp_path, include=["/*.{tmpl,jinja}"])
    assert found == ["a.tmpl", "b.jinja"]
