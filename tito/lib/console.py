"""Rich output for tito, imported only when a command prints something.

Lines are printed with soft_wrap: rich never re-wraps them; the terminal does, and logs and tests see whole lines.
"""

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
    """A line that may use rich markup."""
    console().print(message, soft_wrap=True)


def plain(message: str) -> None:
    """Lines holding user data (file names, test messages): printed as they are, no markup."""
    console().print(message, markup=False, highlight=False, soft_wrap=True)


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    grid = Table(*columns, title=title, title_justify="left")
    for row in rows:
        grid.add_row(*row)
    console().print(grid)
