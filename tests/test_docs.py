"""README.md and the guide in docs/: every relative link resolves, and every `tipsearch COMMAND` they show exists
with the options shown (checked against each command's own --help)."""

from __future__ import annotations

import contextlib
import io
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

from tipsearch import cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md"),
                *(ROOT / "bench" / "archive").glob("*.md")])
PAGES = [p for p in PAGES if p.is_file()]

_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
# A command as a user types it: `tipsearch search ...`, `.venv/bin/tipsearch add ...`; not `tipsearch.cli`.
_COMMAND = re.compile(r"(?:^|(?<=[\s/(]))tipsearch((?:\s+-[a-z-]+)*)\s+([a-z][a-z-]*)([^\n|;&#]*)")
_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def _prose(text: str) -> str:
    """The page without its code, where links and headings are read."""
    return _FENCE.sub("", text)


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\*|_(?=\w)|(?<=\w)_", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, heading in _HEADING.findall(_prose(path.read_text(encoding="utf-8"))):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def _links(path: Path) -> list[str]:
    text = _CODE_SPAN.sub("", _prose(path.read_text(encoding="utf-8")))
    return [m for m in _LINK.findall(text)
            if not re.match(r"[a-z][a-z0-9+.-]*:", m)]  # http:, https:, mailto: are not ours to check


def _commands(path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(command, global flags, flags) for each `tipsearch COMMAND ...` in the page's code."""
    text = path.read_text(encoding="utf-8")
    shell = [block for block in _FENCE.findall(text) if not re.match(r"```\s*(python|py)\b", block)]
    code = shell + [span for span in _CODE_SPAN.findall(_prose(text)) if not re.match(r"(from|import) ", span)]
    found = []
    for chunk in code:
        for line in chunk.replace("\\|", " ").splitlines():  # a table cell's escaped "|" between choices
            for m in _COMMAND.finditer(line):
                rest = re.sub(r'"[^"]*"|\'[^\']*\'', " ", m.group(3))  # a question may hold a hyphen
                found.append((m.group(2), _FLAG.findall(m.group(1)), _FLAG.findall(rest)))
    return found


@cache
def _help(*argv: str) -> str:
    """What `tipsearch ARGV --help` prints, run in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.main([*argv, "--help"])
    return out.getvalue()


@cache
def _subcommands() -> frozenset[str]:
    listed = _help().split("positional arguments:")[1].split("options:")[0]
    return frozenset(re.findall(r"^ {4}([a-z][a-z-]*)\b", listed, re.M))


def _options(*argv: str) -> set[str]:
    return set(_FLAG.findall(_help(*argv).split("options:", 1)[1]))


def _option_groups(command: str) -> list[set[str]]:
    """The command's options as its help lists them, aliases together: [{"-o", "--output"}, ...]."""
    listed = _help(command).split("options:", 1)[1]
    groups = [set(_FLAG.findall(line.split("  ", 2)[1] if line.startswith("  ") else ""))
              for line in listed.splitlines() if re.match(r"^  -", line)]
    return [g for g in groups if g and not g & {"-h", "--help"}]


def test_the_commands_page_shows_every_option_of_every_command_in_an_example():
    """docs/commands.md: for each command, each of its options used in at least one `tipsearch COMMAND` example
    (`--index` and `--store`, which every command takes, once for all)."""
    shown: dict[str, set[str]] = {}
    for command, _, flags in _commands(ROOT / "docs" / "commands.md"):
        shown.setdefault(command, set()).update(flags)
    assert shown.keys() >= _subcommands(), f"no example of {sorted(_subcommands() - shown.keys())}"
    missing = [f"{command} {'/'.join(sorted(group))}" for command in sorted(_subcommands())
               for group in _option_groups(command)
               if not group & shown[command] and group not in ({"--index"}, {"--store"})]
    assert not missing, "docs/commands.md has no example of: " + ", ".join(missing)
    assert any("--index" in flags for flags in shown.values()) and any("--store" in f for f in shown.values())


def test_the_pages_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert {"README.md", "docs/commands.md", "docs/quality-and-speed.md", "bench/README.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path):
    broken = []
    for link in _links(page):
        target, _, anchor = unquote(link).partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading #{anchor} in {path.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_command_shown_exists_with_its_options(page: Path):
    wrong = []
    for command, global_flags, flags in _commands(page):
        if command not in _subcommands():
            wrong.append(f"tipsearch {command}: no such command (tipsearch --help lists {sorted(_subcommands())})")
            continue
        wrong += [f"tipsearch {flag}: not an option of tipsearch" for flag in global_flags if flag not in _options()]
        wrong += [f"tipsearch {command} {flag}: not in `tipsearch {command} --help`"
                  for flag in flags if flag not in _options(command)]
    assert not wrong, f"{page.relative_to(ROOT)}: " + "; ".join(wrong)


def test_the_checks_catch_a_wrong_command_a_wrong_option_and_a_broken_link(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [gone](missing.md) [no anchor](#nowhere)\n\n"
                    "```sh\ntipsearch serach x\ntipsearch search x --no-such-flag -k 3\n```\n"
                    "```python\nfrom tipsearch import Library\n```\n`import tipsearch`\n", encoding="utf-8")
    assert _links(page) == ["#title", "missing.md", "#nowhere"]
    assert _anchors(page) == {"title"}
    commands = _commands(page)
    assert [c for c, _, _ in commands] == ["serach", "search"]
    assert "serach" not in _subcommands()
    assert "--no-such-flag" not in _options("search") and "-k" in _options("search")
    assert _slug("Reading PDF, Word, HTML and text files") == "reading-pdf-word-html-and-text-files"
