"""Declarative process definitions: states, transitions and BPMN element ids.

Each service declares its half of the collaboration once, in terms of the element
ids of ``bpmn/order-process.bpmn``. The services apply transitions through
:func:`ProcessDefinition.transition`; the model test walks the same declarations
to prove that code and diagram agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from shared.messages import MessageType


class TriggerKind(StrEnum):
    START = "start"
    MESSAGE = "message"
    TASK = "task"
    TIMER = "timer"
    SERVICE = "service"


@dataclass(frozen=True)
class Trigger:
    """What makes a transition happen.

    ``name`` is the message type for messages, ``task_type:decision`` for human
    tasks, and the job name for timers and service tasks.
    """

    kind: TriggerKind
    name: str


@dataclass(frozen=True)
class State:
    name: str
    element_id: str
    is_end: bool = False


@dataclass(frozen=True)
class Transition:
    """One step of the process.

    ``path`` lists the BPMN elements the token passes, from the element the source
    state waits at to the one the target state waits at. Consecutive elements are
    joined by a sequence flow, or by a boundary event attached to the first.
    """

    source: State | None
    trigger: Trigger
    target: State
    path: tuple[str, ...]
    sends: MessageType | None = None
    sent_by: str | None = None
    received_by: str | None = None
    opens_task: str | None = None


@dataclass(frozen=True)
class HumanTaskType:
    """A user task of the model.

    Each carries a non-interrupting timer boundary event ``<element>_Overdue`` that
    leads to the end event ``<element>_Escalated`` when the task is left too long.
    """

    name: str
    element_id: str
    decisions: tuple[str, ...]
    candidate_role: str
    due_s: float
    needs_reason: tuple[str, ...] = ()

    @property
    def overdue_element_id(self) -> str:
        return f"{self.element_id}_Overdue"

    @property
    def escalated_element_id(self) -> str:
        return f"{self.element_id}_Escalated"


@dataclass
class ProcessDefinition:
    process_id: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    task_types: tuple[HumanTaskType, ...]
    _index: dict[tuple[str | None, Trigger], Transition] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._index = {}
        for transition in self.transitions:
            source = transition.source.name if transition.source else None
            key = (source, transition.trigger)
            if key in self._index:
                raise ValueError(f"two transitions for {key}")
            self._index[key] = transition

    def transition(self, source: str | None, trigger: Trigger) -> Transition | None:
        """The transition ``trigger`` takes from ``source``, or None if it has none."""
        return self._index.get((source, trigger))

    def states_accepting(self, trigger: Trigger) -> list[str]:
        return [
            t.source.name
            for t in self.transitions
            if t.trigger == trigger and t.source is not None
        ]

    @property
    def end_states(self) -> list[str]:
        return [state.name for state in self.states if state.is_end]

    @property
    def messages_received(self) -> set[str]:
        return _names(self.transitions, TriggerKind.MESSAGE)

    def task_type(self, name: str) -> HumanTaskType:
        for task_type in self.task_types:
            if task_type.name == name:
                return task_type
        raise KeyError(f"{self.process_id} has no human task {name!r}")


def _names(transitions: Iterable[Transition], kind: TriggerKind) -> set[str]:
    return {t.trigger.name for t in transitions if t.trigger.kind is kind}


def message(name: str) -> Trigger:
    return Trigger(TriggerKind.MESSAGE, name)


def task(task_type: str, decision: str) -> Trigger:
    return Trigger(TriggerKind.TASK, f"{task_type}:{decision}")


def timer(name: str) -> Trigger:
    return Trigger(TriggerKind.TIMER, name)


def service(name: str) -> Trigger:
    return Trigger(TriggerKind.SERVICE, name)


START = Trigger(TriggerKind.START, "start")
