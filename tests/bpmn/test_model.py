"""The BPMN model and the process definitions in code describe the same process.

``check_agreement`` walks one service's ``ProcessDefinition`` against the parsed
model and returns every disagreement as a sentence naming the offending ids; the
tests assert that list is empty, and feed it broken copies of the model and of
the code to prove it notices. The model is read with the standard library only.
"""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from client_service import process as client
from shared.messages import MessageType
from shared.process import (
    HumanTaskType,
    ProcessDefinition,
    Transition,
    TriggerKind,
    message,
    task,
)
from supplier_service import process as supplier

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bpmn" / "order-process.bpmn"
SVG = ROOT / "bpmn" / "order-process.svg"

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"

DEFINITIONS = {"client": client.PROCESS, "supplier": supplier.PROCESS}

THROWING = {"sendTask", "intermediateThrowEvent", "endEvent"}
CATCHING = {"startEvent", "intermediateCatchEvent", "receiveTask"}
NOT_FLOW_NODES = {"sequenceFlow", "laneSet", "textAnnotation", "association"}
ISO_DURATION = re.compile(
    r"P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?"
)


def duration_s(text: str) -> float | None:
    """Seconds of an ISO 8601 duration of days, hours, minutes and seconds."""
    match = ISO_DURATION.fullmatch(text)
    if match is None or text in {"P", "PT"} or text.endswith("T"):
        return None
    parts = {key: int(value or 0) for key, value in match.groupdict().items()}
    return float(parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"])


# The model, parsed ----------------------------------------------------------


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # the BPMN tag without namespace: userTask, endEvent, ...
    name: str
    process_id: str
    attached_to: str | None = None
    cancel_activity: bool = True
    event_kinds: frozenset[str] = frozenset()  # message, timer, ...
    message: str | None = None  # name of the message it sends or catches
    timer: dict[str, str] = field(default_factory=dict)  # timeDuration: P2D


@dataclass(frozen=True)
class SequenceFlow:
    id: str
    process_id: str
    source: str
    target: str
    condition: str | None


@dataclass(frozen=True)
class MessageFlow:
    id: str
    source: str
    target: str
    message: str | None


@dataclass
class Model:
    collaboration_id: str
    participants: dict[str, str]  # process id -> participant id
    executable: dict[str, bool]
    nodes: dict[str, Node]
    sequence_flows: list[SequenceFlow]
    message_flows: list[MessageFlow]
    message_names: list[str]

    def in_process(self, process_id: str) -> dict[str, Node]:
        return {i: n for i, n in self.nodes.items() if n.process_id == process_id}

    def flows_in(self, process_id: str) -> list[SequenceFlow]:
        return [f for f in self.sequence_flows if f.process_id == process_id]


def parse_model(root: ET.Element) -> Model:
    messages = {m.get("id", ""): m.get("name", "") for m in root.iter(f"{BPMN}message")}
    collaboration = root.find(f"{BPMN}collaboration")
    assert collaboration is not None, "the model has no <bpmn:collaboration>"

    nodes: dict[str, Node] = {}
    flows: list[SequenceFlow] = []
    executable: dict[str, bool] = {}
    for process in root.iter(f"{BPMN}process"):
        process_id = process.get("id", "")
        executable[process_id] = process.get("isExecutable") == "true"
        for child in process:
            kind = child.tag.removeprefix(BPMN)
            if kind == "sequenceFlow":
                condition = child.find(f"{BPMN}conditionExpression")
                flows.append(
                    SequenceFlow(
                        id=child.get("id", ""),
                        process_id=process_id,
                        source=child.get("sourceRef", ""),
                        target=child.get("targetRef", ""),
                        condition=condition.text if condition is not None else None,
                    )
                )
            elif kind not in NOT_FLOW_NODES:
                node = _parse_node(child, kind, process_id, messages)
                nodes[node.id] = node

    return Model(
        collaboration_id=collaboration.get("id", ""),
        participants={
            p.get("processRef", ""): p.get("id", "")
            for p in collaboration.iter(f"{BPMN}participant")
        },
        executable=executable,
        nodes=nodes,
        sequence_flows=flows,
        message_flows=[
            MessageFlow(
                id=f.get("id", ""),
                source=f.get("sourceRef", ""),
                target=f.get("targetRef", ""),
                message=messages.get(f.get("messageRef", "")),
            )
            for f in collaboration.iter(f"{BPMN}messageFlow")
        ],
        message_names=list(messages.values()),
    )


def _parse_node(
    element: ET.Element, kind: str, process_id: str, messages: dict[str, str]
) -> Node:
    event_kinds: set[str] = set()
    message_ref = element.get("messageRef")  # send and receive tasks
    timer: dict[str, str] = {}
    for definition in element:
        tag = definition.tag.removeprefix(BPMN)
        if not tag.endswith("EventDefinition"):
            continue
        event_kinds.add(tag.removesuffix("EventDefinition"))
        message_ref = definition.get("messageRef", message_ref)
        for part in definition:
            timer[part.tag.removeprefix(BPMN)] = (part.text or "").strip()
    return Node(
        id=element.get("id", ""),
        kind=kind,
        name=element.get("name", ""),
        process_id=process_id,
        attached_to=element.get("attachedToRef"),
        cancel_activity=element.get("cancelActivity", "true") == "true",
        event_kinds=frozenset(event_kinds),
        message=messages.get(message_ref) if message_ref else None,
        timer=timer,
    )


@cache
def model_root() -> ET.Element:
    return ET.parse(MODEL).getroot()


def load_model() -> Model:
    return parse_model(model_root())


# The checker ----------------------------------------------------------------


def describe(transition: Transition) -> str:
    source = transition.source.name if transition.source else "(new)"
    trigger = f"{transition.trigger.kind} {transition.trigger.name}"
    return f"transition {source} -[{trigger}]-> {transition.target.name}"


def check_agreement(model: Model, definition: ProcessDefinition) -> list[str]:
    """Every way ``definition`` and the model's process disagree, one per line."""
    process_id = definition.process_id
    if process_id not in model.executable:
        return [f"process {process_id} is not in the model"]

    checker = _Checker(model, definition)
    problems = [
        *checker.check_pool(),
        *checker.check_states(),
        *checker.check_transitions(),
        *checker.check_task_types(),
        *checker.check_coverage(),
        *checker.check_message_flows(),
    ]
    return problems


class _Checker:
    def __init__(self, model: Model, definition: ProcessDefinition) -> None:
        self.model = model
        self.definition = definition
        self.process_id = definition.process_id
        self.nodes = model.in_process(self.process_id)
        self.flows = {(f.source, f.target): f for f in model.flows_in(self.process_id)}
        self.covered_flows: set[tuple[str, str]] = set()
        self.visited: set[str] = set()

    def check_pool(self) -> Iterator[str]:
        if self.process_id not in self.model.participants:
            yield f"process {self.process_id} has no pool in the collaboration"
        if not self.model.executable[self.process_id]:
            yield f"process {self.process_id} is not marked isExecutable"

    def check_states(self) -> Iterator[str]:
        targets = {t.target.name for t in self.definition.transitions}
        for state in self.definition.states:
            node = self.nodes.get(state.element_id)
            if node is None:
                yield (
                    f"state {state.name}: element {state.element_id} "
                    f"is not in {self.process_id}"
                )
            elif state.is_end != (node.kind == "endEvent"):
                yield (
                    f"state {state.name}: is_end={state.is_end}, "
                    f"but {state.element_id} is a {node.kind}"
                )
            if state.name not in targets:
                yield f"state {state.name} is the target of no transition"

    def check_transitions(self) -> Iterator[str]:
        for transition in self.definition.transitions:
            label = describe(transition)
            missing = [e for e in transition.path if e not in self.nodes]
            for element_id in missing:
                yield f"{label}: {element_id} is not in {self.process_id}"
            if missing or not transition.path:
                continue
            self.visited.update(transition.path)
            yield from self._check_ends(label, transition)
            yield from self._check_steps(label, transition)
            yield from self._check_trigger(label, transition)
            yield from self._check_sending(label, transition)

    def _check_ends(self, label: str, transition: Transition) -> Iterator[str]:
        first, last = transition.path[0], transition.path[-1]
        if transition.source is None:
            if self.nodes[first].kind != "startEvent":
                yield f"{label}: starts at {first}, which is not a start event"
        elif first != transition.source.element_id:
            yield (
                f"{label}: starts at {first}, but state {transition.source.name} "
                f"waits at {transition.source.element_id}"
            )
        if last != transition.target.element_id:
            yield (
                f"{label}: ends at {last}, but state {transition.target.name} "
                f"waits at {transition.target.element_id}"
            )

    def _check_steps(self, label: str, transition: Transition) -> Iterator[str]:
        for a, b in pairwise(transition.path):
            if (a, b) in self.flows:
                self.covered_flows.add((a, b))
            elif not self._attached(b, a):
                yield f"{label}: no sequence flow {a} -> {b} in the model"

    def _attached(self, boundary: str, host: str) -> bool:
        node = self.nodes[boundary]
        return node.kind == "boundaryEvent" and node.attached_to == host

    def _check_trigger(self, label: str, transition: Transition) -> Iterator[str]:
        kind, path = transition.trigger.kind, transition.path
        if kind is TriggerKind.TASK:
            yield from self._check_decision(label, transition)
        elif kind is TriggerKind.TIMER:
            step = self.nodes[path[1]] if len(path) > 1 else None
            if (
                step is None
                or not self._attached(step.id, path[0])
                or "timer" not in step.event_kinds
                or not step.cancel_activity
            ):
                yield (
                    f"{label}: the step after {path[0]} must be an interrupting "
                    "timer boundary event attached to it"
                )
        elif kind is TriggerKind.SERVICE and self.nodes[path[0]].kind != "serviceTask":
            yield f"{label}: {path[0]} is not a service task"
        elif kind is TriggerKind.MESSAGE:
            yield from self._check_receiving(label, transition)

    def _check_decision(self, label: str, transition: Transition) -> Iterator[str]:
        type_name, _, decision = transition.trigger.name.partition(":")
        task_type = self._task_type(type_name)
        if task_type is None:
            yield f"{label}: no human task type {type_name}"
            return
        if transition.path[0] != task_type.element_id:
            yield f"{label}: starts at {transition.path[0]}, not {task_type.element_id}"
        if decision not in task_type.decisions:
            yield f"{label}: {decision} is not a decision of {type_name}"
        for a, b in pairwise(transition.path):
            flow = self.flows.get((a, b))
            if self.nodes[a].kind != "exclusiveGateway" or flow is None:
                continue
            if f"'{decision}'" not in (flow.condition or ""):
                yield (
                    f"{label}: sequence flow {flow.id} out of {a} has condition "
                    f"{flow.condition!r}, which does not test for '{decision}'"
                )

    def _check_receiving(self, label: str, transition: Transition) -> Iterator[str]:
        name, receiver = transition.trigger.name, transition.received_by
        if receiver is None or receiver not in transition.path:
            yield f"{label}: received_by {receiver} is not on the path"
            return
        node = self.nodes[receiver]
        if node.kind not in CATCHING or node.message != name:
            yield f"{label}: {receiver} is not a {name} catch event ({node.kind})"
        if not any(
            f.target == receiver and f.message == name for f in self.model.message_flows
        ):
            yield f"{label}: no message flow of {name} into {receiver}"

    def _check_sending(self, label: str, transition: Transition) -> Iterator[str]:
        name, sender = transition.sends, transition.sent_by
        if name is None:
            if sender is not None:
                yield f"{label}: sent_by {sender} but sends nothing"
            return
        if sender is None or sender not in transition.path:
            yield f"{label}: sent_by {sender} is not on the path"
            return
        node = self.nodes[sender]
        if node.kind not in THROWING or node.message != name:
            yield f"{label}: {sender} does not throw {name} ({node.kind})"
        if not any(
            f.source == sender and f.message == name for f in self.model.message_flows
        ):
            yield f"{label}: no message flow of {name} out of {sender}"

    def _task_type(self, name: str) -> HumanTaskType | None:
        return next((t for t in self.definition.task_types if t.name == name), None)

    def check_task_types(self) -> Iterator[str]:
        elements = {t.element_id for t in self.definition.task_types}
        for node in self.nodes.values():
            if node.kind == "userTask" and node.id not in elements:
                yield f"user task {node.id} has no human task type in code"

        for task_type in self.definition.task_types:
            yield from self._check_task_type(task_type)

    def _check_task_type(self, task_type: HumanTaskType) -> Iterator[str]:
        element, name = task_type.element_id, task_type.name
        node = self.nodes.get(element)
        if node is None or node.kind != "userTask":
            yield f"human task {name}: {element} is not a user task in the model"
            return

        overdue = self.nodes.get(task_type.overdue_element_id)
        if (
            overdue is None
            or not self._attached(overdue.id, element)
            or "timer" not in overdue.event_kinds
            or overdue.cancel_activity
        ):
            yield (
                f"human task {name}: {task_type.overdue_element_id} must be a "
                f"non-interrupting timer boundary event on {element}"
            )
        elif duration_s(overdue.timer.get("timeDuration", "")) != task_type.due_s:
            yield (
                f"human task {name}: {overdue.id} fires after "
                f"{overdue.timer.get('timeDuration')!r}, but due_s is "
                f"{task_type.due_s:g}"
            )
        escalated = self.nodes.get(task_type.escalated_element_id)
        if escalated is None or escalated.kind != "endEvent":
            yield f"human task {name}: {task_type.escalated_element_id} is no end event"
        pair = (task_type.overdue_element_id, task_type.escalated_element_id)
        if pair in self.flows:
            self.covered_flows.add(pair)
            self.visited.update(pair)
        else:
            yield f"human task {name}: no sequence flow {pair[0]} -> {pair[1]}"

        decided = {
            t.trigger.name.partition(":")[2]
            for t in self.definition.transitions
            if t.trigger.kind is TriggerKind.TASK
            and t.trigger.name.partition(":")[0] == name
        }
        for decision in task_type.decisions:
            if decision not in decided:
                yield f"human task {name}: decision {decision} has no transition"

        for t in self.definition.transitions:
            if t.opens_task == name and t.target.element_id != element:
                yield f"{describe(t)}: opens {name} but ends at {t.target.element_id}"

    def check_coverage(self) -> Iterator[str]:
        """Run after the transitions and task types have marked what they use."""
        for (source, target), flow in self.flows.items():
            if (source, target) not in self.covered_flows:
                yield (
                    f"sequence flow {flow.id} ({source} -> {target}) "
                    "is taken by no transition"
                )
        for node_id in self.nodes:
            if node_id not in self.visited:
                yield f"element {node_id} is on no transition path"

        state_elements = {s.element_id for s in self.definition.states}
        escalations = {t.escalated_element_id for t in self.definition.task_types}
        for node in self.nodes.values():
            if node.kind != "endEvent":
                continue
            if node.id not in state_elements and node.id not in escalations:
                yield f"end event {node.id} is reached by no state"

    def check_message_flows(self) -> Iterator[str]:
        transitions = self.definition.transitions
        sent = {(t.sent_by, t.sends) for t in transitions if t.sends}
        received = {
            (t.received_by, t.trigger.name)
            for t in transitions
            if t.trigger.kind is TriggerKind.MESSAGE
        }
        for flow in self.model.message_flows:
            if flow.source in self.nodes and (flow.source, flow.message) not in sent:
                yield (
                    f"message flow {flow.id}: {flow.source} sends {flow.message} "
                    "in the model, but no transition sends it from there"
                )
            if (
                flow.target in self.nodes
                and (flow.target, flow.message) not in received
            ):
                yield (
                    f"message flow {flow.id}: {flow.target} receives {flow.message} "
                    "in the model, but no transition receives it there"
                )


def assert_agree(model: Model, definition: ProcessDefinition) -> None:
    problems = check_agreement(model, definition)
    assert not problems, "model and code disagree:\n" + "\n".join(problems)


# Code and model agree -------------------------------------------------------


@pytest.mark.parametrize("service", sorted(DEFINITIONS))
def test_model_agrees_with_process_definition(service: str) -> None:
    assert_agree(load_model(), DEFINITIONS[service])


def test_collaboration_has_the_two_executable_pools() -> None:
    model = load_model()

    assert model.collaboration_id == "Collaboration_Order"
    assert set(model.participants) == {"Process_Client", "Process_Supplier"}
    assert model.executable == {"Process_Client": True, "Process_Supplier": True}


def test_message_names_are_the_message_types() -> None:
    model = load_model()

    assert sorted(model.message_names) == sorted(MessageType)
    flows = sorted(str(f.message) for f in model.message_flows)
    assert flows == sorted(MessageType), "one message flow per message type"


def test_every_message_goes_from_one_service_to_the_other() -> None:
    for message_type in MessageType:
        senders = [
            name
            for name, definition in DEFINITIONS.items()
            if any(t.sends == message_type for t in definition.transitions)
        ]
        receivers = [
            name
            for name, definition in DEFINITIONS.items()
            if message_type in definition.messages_received
        ]
        assert len(senders) == 1, f"{message_type} is sent by {senders}"
        assert len(receivers) == 1, f"{message_type} is received by {receivers}"
        assert receivers != senders, f"{message_type} stays inside {senders}"


def test_quote_expiry_is_the_quote_validity() -> None:
    expiry = load_model().nodes["Client_QuoteExpiry"]

    assert expiry.cancel_activity, "quote expiry must interrupt Client_ConfirmQuote"
    assert expiry.timer == {"timeDate": "${quoteValidUntil}"}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT4H", 14400), ("P2D", 172800), ("P1DT30M", 88200), ("PT", None), ("4h", None)],
)
def test_duration_s_reads_iso_durations(text: str, seconds: float | None) -> None:
    assert duration_s(text) == seconds


def test_every_element_is_drawn() -> None:
    root = model_root()
    drawn = {
        e.get("bpmnElement")
        for e in root.iter()
        if e.tag in {f"{BPMNDI}BPMNShape", f"{BPMNDI}BPMNEdge"}
    }
    model = load_model()
    elements = {
        *model.nodes,
        *model.participants.values(),
        *(f.id for f in model.sequence_flows),
        *(f.id for f in model.message_flows),
    }

    assert sorted(elements - drawn) == []


# The checker notices disagreements --------------------------------------------


def mutated_model(mutate_id: str, **attributes: str) -> Model:
    """The model with element ``mutate_id`` removed, or its attributes changed."""
    root = copy.deepcopy(model_root())
    for parent in root.iter():
        for child in parent:
            if child.get("id") != mutate_id:
                continue
            if attributes:
                child.attrib.update(attributes)
            else:
                parent.remove(child)
            return parse_model(root)
    raise AssertionError(f"{mutate_id} is not in the model")


def test_checker_reports_a_missing_sequence_flow() -> None:
    model = mutated_model("Supplier_Flow_QuoteIssued_AwaitQuoteResponse")

    problems = check_agreement(model, supplier.PROCESS)

    assert problems == [
        "transition quoting -[service generate_quote]-> awaiting_quote_response: "
        "no sequence flow Supplier_QuoteIssued -> Supplier_AwaitQuoteResponse "
        "in the model"
    ]


def test_checker_reports_a_transition_the_model_lacks() -> None:
    bogus = Transition(
        client.AWAITING_FULFILMENT,
        message(MessageType.FULFILMENT_DISPUTED),
        client.DISPUTED,
        path=("Client_AwaitFulfilment", "Client_End_Disputed"),
        received_by="Client_AwaitFulfilment",
    )
    definition = ProcessDefinition(
        process_id=client.PROCESS.process_id,
        states=client.PROCESS.states,
        transitions=(*client.PROCESS.transitions, bogus),
        task_types=client.PROCESS.task_types,
    )

    problems = check_agreement(load_model(), definition)

    label = "transition awaiting_fulfilment -[message fulfilment.disputed]-> disputed"
    assert problems == [
        f"{label}: no sequence flow Client_AwaitFulfilment -> Client_End_Disputed "
        "in the model",
        f"{label}: Client_AwaitFulfilment is not a fulfilment.disputed catch event "
        "(intermediateCatchEvent)",
        f"{label}: no message flow of fulfilment.disputed into Client_AwaitFulfilment",
    ]


def test_checker_reports_a_flow_no_transition_takes() -> None:
    definition = ProcessDefinition(
        process_id=client.PROCESS.process_id,
        states=client.PROCESS.states,
        transitions=tuple(
            t
            for t in client.PROCESS.transitions
            if t.trigger != task(client.CONFIRM_QUOTE.name, "decline")
        ),
        task_types=client.PROCESS.task_types,
    )

    problems = check_agreement(load_model(), definition)

    assert problems == [
        "state declined is the target of no transition",
        "human task confirm_quote: decision decline has no transition",
        "sequence flow Client_Flow_QuoteAccepted_No "
        "(Client_QuoteAcceptedGateway -> Client_End_Declined) "
        "is taken by no transition",
        "element Client_End_Declined is on no transition path",
        "message flow MessageFlow_QuoteDeclined: Client_End_Declined sends "
        "quote.declined in the model, but no transition sends it from there",
    ]


def test_checker_reports_a_user_task_without_task_type() -> None:
    definition = ProcessDefinition(
        process_id=supplier.PROCESS.process_id,
        states=supplier.PROCESS.states,
        transitions=supplier.PROCESS.transitions,
        task_types=(supplier.VERIFY_ORDER,),
    )

    problems = check_agreement(load_model(), definition)

    assert problems == [
        "transition in_fulfilment -[task confirm_fulfilment:complete]-> "
        "awaiting_receipt: no human task type confirm_fulfilment",
        "user task Supplier_ConfirmFulfilment has no human task type in code",
        "sequence flow Supplier_Flow_ConfirmFulfilment_Overdue "
        "(Supplier_ConfirmFulfilment_Overdue -> "
        "Supplier_ConfirmFulfilment_Escalated) is taken by no transition",
        "element Supplier_ConfirmFulfilment_Overdue is on no transition path",
        "element Supplier_ConfirmFulfilment_Escalated is on no transition path",
        "end event Supplier_ConfirmFulfilment_Escalated is reached by no state",
    ]


def test_checker_reports_an_escalation_timer_that_is_not_due_s() -> None:
    definition = ProcessDefinition(
        process_id=supplier.PROCESS.process_id,
        states=supplier.PROCESS.states,
        transitions=supplier.PROCESS.transitions,
        task_types=(
            replace(supplier.VERIFY_ORDER, due_s=3600),
            supplier.CONFIRM_FULFILMENT,
        ),
    )

    problems = check_agreement(load_model(), definition)

    assert problems == [
        "human task verify_order: Supplier_VerifyOrder_Overdue fires after "
        "'PT4H', but due_s is 3600"
    ]


def test_checker_reports_a_wrong_message() -> None:
    model = mutated_model("MessageFlow_QuoteAccepted", messageRef="Message_QuoteIssued")

    problems = check_agreement(model, supplier.PROCESS)

    assert (
        "message flow MessageFlow_QuoteAccepted: Supplier_QuoteAccepted receives "
        "quote.issued in the model, but no transition receives it there"
    ) in problems
    assert any("no message flow of quote.accepted" in p for p in problems)


# Tooling: lint, layout, rendering ---------------------------------------------


def test_model_passes_bpmnlint() -> None:
    if shutil.which("npx") is None:
        pytest.fail("npx is not on PATH: install Node.js 20 and npm")
    if not (ROOT / "node_modules" / ".bin" / "bpmnlint").exists():
        pytest.fail("bpmnlint is not installed: run `npm ci` in the repository root")

    result = subprocess.run(
        ["npx", "--no-install", "bpmnlint", "--max-warnings=0", str(MODEL)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_model_is_laid_out() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "layout_bpmn.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_svg_is_up_to_date() -> None:
    match = re.search(r"source-sha256: ([0-9a-f]{64})", SVG.read_text())
    rerender = "run `.venv/bin/python scripts/render_bpmn.py`"

    assert match, f"{SVG.name} carries no source hash: {rerender}"
    assert match.group(1) == hashlib.sha256(MODEL.read_bytes()).hexdigest(), (
        f"{SVG.name} was drawn from another version of {MODEL.name}: {rerender}"
    )
