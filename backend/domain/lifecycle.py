"""The state-machine type of every object with a lifecycle but the ticket (rounds, 底稿
review entries, rectification cases and problems, clues, suggestions, villagers' reports).
Plain Python: no Flask, no database.

Each machine maps an action to {from state: allowed to-states}. An action that records
something without changing the state (a reminder, a handover, a progress report) lists
its states as staying where they are, like the ticket machine in `states.py`. The action
that creates an object leads from `None` (`create`).
"""
from collections.abc import Iterable


class TransitionNotAllowed(Exception):
    def __init__(self, machine: "Machine", action: str, status: str | None):
        self.action, self.status = action, status
        allowed = sorted(s for s in machine.transitions.get(action, {}) if s is not None)
        super().__init__(f"cannot {action} a {machine.name} that is {status}; "
                         f"allowed only from: {', '.join(allowed) or 'nowhere'}")


class Machine:
    def __init__(self, name: str, transitions: dict[str, dict[str | None, frozenset[str]]]):
        self.name, self.transitions = name, transitions

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
