"""The command Typer builds, with the conventions it leaves out: the global options accepted after
the command as well as before it (`ordercancel check ID --marketplace de`), and arguments shown
as a person types them (`ORDER_ID...`, not `ORDER_ID <list[str]>`)."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from typer.core import TyperArgument

# the group's options that are not settings of a run: they act at once, before any command
NOT_GLOBAL = {"version", "install_completion", "show_completion", "help"}
GLOBAL_NOTE = "The global options (see ordercancel --help: -v, -q, --marketplace, ...) may also come after the command."


class PlainArgument(TyperArgument):
    """An argument shown by its name, with `...` when it takes several, and no Python type."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return f"{self.display_name_raw}..." if self.nargs != 1 else self.display_name_raw

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        return name if self.required else f"[{name}]"


def after_the_command(option: Any, given: Callable[..., None]) -> Any:
    """A copy of a global option for a command's own options: hidden from its help, and when
    given, handed to `given(ctx, name=value)` as the group's own would be."""
    copied = copy.copy(option)
    copied.hidden = True
    copied.expose_value = False

    def store(ctx: Any, param: Any, value: Any) -> None:
        if value is not None and value != option.default:  # given on the command line
            given(ctx, **{param.name: value})

    copied.callback = store
    return copied


def with_conventions(group: Any, given: Callable[..., None]) -> Any:
    """The group, each command taking the global options after it too, its arguments plain."""
    shared = [param for param in group.params if param.name not in NOT_GLOBAL]
    for command in group.commands.values():
        own = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
        command.params.extend(after_the_command(option, given) for option in shared
                              if not own & {*option.opts, *option.secondary_opts})
        for param in command.params:
            if isinstance(param, TyperArgument):
                param.__class__ = PlainArgument
        command.epilog = "\n\n".join(part for part in (command.epilog, GLOBAL_NOTE) if part)
    return group
