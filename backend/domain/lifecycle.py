"""The state-machine type of every object with a lifecycle but the ticket (rounds, 底稿
review entries, rectification cases and problems, clues, suggestions, villagers' reports).
Plain Python: no Flask, no database.

Each machine maps an action to {from state: allowed to-states}. An action that records
something without changing the state (a reminder, a handover, a progress report) lists
its states as staying where they are, like the ticket machine in `states.py`. The action
that creates an object leads from `None` (`create`).
"""
from collections.abc import Iterable

from .messages import Named, _, named_list


class TransitionNotAllowed(Exception):
    def __init__(self, machine: "Machine", action: str, status: str | None):
        self.action, self.status = action, status
        allowed = sorted(s for s in machine.transitions.get(action, {}) if s is not None)
        super().__init__(_("This %(kind)s is %(status)s: it cannot be done now (only when it is %(allowed)s).",
                           kind=machine.kind, status=machine.named(status),
                           allowed=named_list(allowed, [machine.named(s).name for s in allowed])))


class Machine:
    """`label`: the object's name, and `states`: each state's name, as people read them."""

    def __init__(self, name: str, transitions: dict[str, dict[str | None, frozenset[str]]], *,
                 label: str, states: dict):
        self.name, self.transitions, self.label = name, transitions, label
        self.states = {str(getattr(k, "value", k)): v for k, v in states.items()}
        named = {s for targets in transitions.values() for source, ends in targets.items()
                 for s in (source, *ends) if s is not None}
        if named - set(self.states):
            raise ValueError(f"{name}: no label for {sorted(named - set(self.states))}")

    @property
    def kind(self) -> Named:
        return Named(self.name, self.label)

    def named(self, status: str | None) -> Named:
        """The state as people read it (`None`: not created yet)."""
        if status is None:
            return Named("new", "新建")
        return Named(status, self.states.get(status, status))

    def check(self, action: str, status: str | None, target: str) -> str:
        """Return `target` if `action` may move the object from `status` to it, else raise."""
        targets = self.transitions.get(str(action), {}).get(status)
        if targets is None:
            raise TransitionNotAllowed(self, str(action), status)
        if target not in targets:
            raise ValueError(f"{action} cannot lead a {self.name} from {status} to {target}")
        return target

    def allows(self, action: str, status: str | None) -> bool:
        return status in self.transitions.get(str(action), {})


def stay(states: Iterable[str]) -> dict[str, frozenset[str]]:
    return {state: frozenset({state}) for state in states}


def create(target: str) -> dict[None, frozenset[str]]:
    """The action creates the object in `target`."""
    return {None: frozenset({target})}


def move(pairs: dict[str, str]) -> dict[str, frozenset[str]]:
    return {source: frozenset({target}) for source, target in pairs.items()}
