"""Rich output for tito, imported only when a command prints something."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def console():
    from rich.console import Console

    return Console(highlight=False)


def error(message: str, hint: str | None = None) -> None:
    _marked("[bold red]✗[/]", message, hint)


def warning(message: str, hint: str | None = None) -> None:
    _marked("[bold yellow]![/]", message, hint)


def _marked(mark: str, message: str, hint: str | None) -> None:
    """A line of user data (escaped) after a mark, and the hint under it."""
    from rich.markup import escape

    console().print(f"{mark} {escape(message)}", soft_wrap=True)
    if hint:
        console().print(f"  [yellow]→[/] {escape(hint)}", soft_wrap=True)


def success(message: str) -> None:
    """A success line; `message` may use rich markup (keep user data out of it)."""
    console().print(f"[bold green]✓[/] {message}", soft_wrap=True)


def info(message: str) -> None:
    """Prose lines are not re-wrapped: the terminal wraps them, and logs and tests see whole lines."""
    console().print(message, soft_wrap=True)


def table(title: str, columns: list[str], rows: list[list[str]]):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*r)
    console().print(t)


def plain(message: str) -> None:
    """Lines holding user data (file names, test messages): printed as they are, no markup."""
    console().print(message, markup=False, highlight=False, soft_wrap=True)

