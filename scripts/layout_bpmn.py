"""Derive the generated parts of ``bpmn/order-process.bpmn`` from its semantic part.

The processes, events, flows and messages are edited by hand. This script then
rewrites the file with

- ``<bpmn:incoming>``/``<bpmn:outgoing>`` on every flow node, taken from the
  flows' ``sourceRef``/``targetRef`` (bpmnlint reads only those children), and
- the whole diagram interchange, laid out on the grid declared below: one column
  per step, shared by both pools so that every message flow is a vertical line.

A node missing from the grid is an error, so a new element cannot slip in
undrawn. Run it after changing the model, then ``scripts/render_bpmn.py``.
"""

from __future__ import annotations

import argparse
import math
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "bpmn" / "order-process.bpmn"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
BPMN = f"{{{NS['bpmn']}}}"
BPMNDI = f"{{{NS['bpmndi']}}}"
DC = f"{{{NS['dc']}}}"
DI = f"{{{NS['di']}}}"

# Pools, top to bottom: participant id, its process, the centre line of each row
# measured from the pool's top edge, and the pool's height. Rows next to the
# other pool hold the steps that exchange messages; the far rows hold
# escalations. The two pools mirror each other around the gap between them, so
# a message flow between rows of the same name has its midpoint in the gap,
# where bpmn-js draws the envelope and the message's name.
POOLS: tuple[tuple[str, str, dict[str, int], int], ...] = (
    (
        "Participant_Client",
        "Process_Client",
        {"escalation": 50, "main": 165, "message2": 260, "message": 350},
        405,
    ),
    (
        "Participant_Supplier",
        "Process_Supplier",
        {"message": 55, "message2": 145, "main": 240, "escalation": 350},
        405,
    ),
)
POOL_X = 150
POOL_TOP = 40
POOL_GAP = 80
POOL_LABEL_WIDTH = 30
POOL_PADDING = 20

# Column and row of every flow node except boundary events, which sit on the
# edge of their host facing the row their outgoing flow leads to.
GRID: dict[str, tuple[int, str]] = {
    "Client_Start": (0, "main"),
    "Client_PlaceOrder": (1, "main"),
    "Client_AwaitVerification": (2, "main"),
    "Client_RejectionReceived": (4, "message"),
    "Client_End_Rejected": (5, "message"),
    "Client_QuoteReceived": (6, "main"),
    "Client_ConfirmQuote": (7, "main"),
    "Client_ConfirmQuote_Escalated": (8, "escalation"),
    "Client_End_Expired": (8, "message"),
    "Client_QuoteAcceptedGateway": (9, "main"),
    "Client_End_Declined": (10, "message2"),
    "Client_SendAcceptance": (12, "main"),
    "Client_AwaitFulfilment": (14, "main"),
    "Client_ConfirmReceipt": (15, "main"),
    "Client_ConfirmReceipt_Escalated": (16, "escalation"),
    "Client_ReceiptGateway": (16, "main"),
    "Client_End_Disputed": (17, "message"),
    "Client_End_Completed": (19, "main"),
    "Supplier_OrderReceived": (1, "main"),
    "Supplier_VerifyOrder": (2, "main"),
    "Supplier_OrderApprovedGateway": (3, "main"),
    "Supplier_VerifyOrder_Escalated": (3, "escalation"),
    "Supplier_End_Rejected": (4, "message"),
    "Supplier_GenerateQuote": (5, "main"),
    "Supplier_QuoteIssued": (6, "main"),
    "Supplier_AwaitQuoteResponse": (7, "main"),
    "Supplier_QuoteExpired": (8, "message"),
    "Supplier_End_Expired": (9, "message"),
    "Supplier_QuoteDeclined": (10, "message2"),
    "Supplier_End_Declined": (11, "message2"),
    "Supplier_QuoteAccepted": (12, "main"),
    "Supplier_ConfirmFulfilment": (13, "main"),
    "Supplier_FulfilmentCompleted": (14, "main"),
    "Supplier_ConfirmFulfilment_Escalated": (14, "escalation"),
    "Supplier_AwaitReceipt": (15, "main"),
    "Supplier_DeliveryDisputed": (17, "message"),
    "Supplier_End_Disputed": (18, "message"),
    "Supplier_ReceiptConfirmed": (19, "main"),
    "Supplier_End_Completed": (20, "main"),
}

TASKS = {"task", "userTask", "serviceTask", "sendTask", "receiveTask"}
GATEWAYS = {"exclusiveGateway", "eventBasedGateway", "parallelGateway"}
EVENTS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
# Shape size and the width of a grid column holding such a shape.
SIZES = {"task": (100, 80, 150), "gateway": (50, 50, 100), "event": (36, 36, 90)}

# bpmn-js keeps a label's stored width, wraps its text to it and grows the label
# downwards, with 11px text at 1.2 line height. Widths are estimated generously
# (Chromium on Debian draws Arial with a wider fallback font), so a label never
# wraps to more lines than planned and never runs into the shape it names.
LABEL_LINE_HEIGHT = 13.2
LABEL_MAX_WIDTH = 90
CHAR_WIDTH = 6.8


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def top(self) -> tuple[float, float]:
        return (self.cx, self.y)

    @property
    def bottom(self) -> tuple[float, float]:
        return (self.cx, self.y + self.height)

    @property
    def left(self) -> tuple[float, float]:
        return (self.x, self.cy)

    @property
    def right(self) -> tuple[float, float]:
        return (self.x + self.width, self.cy)


Point = tuple[float, float]


def local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def shape_kind(tag: str) -> str:
    if tag in TASKS:
        return "task"
    if tag in GATEWAYS:
        return "gateway"
    if tag in EVENTS:
        return "event"
    raise SystemExit(f"layout: no shape size for <bpmn:{tag}>")


def wrap(text: str) -> list[str]:
    """Greedy word wrap at LABEL_MAX_WIDTH, as bpmn-js does it."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and len(candidate) * CHAR_WIDTH <= LABEL_MAX_WIDTH:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines or [""]


def label_box(text: str, anchor_x: float, top: float, align: str) -> Box:
    """A label box for ``text``; ``align`` is centre, left or right of anchor_x."""
    lines = wrap(text)
    width = max(20, max(len(line) for line in lines) * CHAR_WIDTH)
    x = {
        "centre": anchor_x - width / 2,
        "left": anchor_x,
        "right": anchor_x - width,
    }[align]
    return Box(x, top, width, math.ceil(len(lines) * LABEL_LINE_HEIGHT))


class Layout:
    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.collaboration = self._one(f"{BPMN}collaboration")
        self.processes = {p.get("id", ""): p for p in root.iter(f"{BPMN}process")}
        self.nodes: dict[str, ET.Element] = {}
        self.flows: list[ET.Element] = []
        for process in self.processes.values():
            for child in process:
                if local(child) == "sequenceFlow":
                    self.flows.append(child)
                elif local(child) not in {"laneSet", "textAnnotation"}:
                    self.nodes[child.get("id", "")] = child
        self.boxes: dict[str, Box] = {}
        self.pool_boxes: dict[str, Box] = {}
        self.used_sides: dict[str, set[str]] = {node: set() for node in self.nodes}

    def _one(self, tag: str) -> ET.Element:
        found = self.root.find(tag)
        if found is None:
            raise SystemExit(f"layout: no {tag} in the model")
        return found

    # semantic normalisation -------------------------------------------------

    def fill_incoming_outgoing(self) -> None:
        incoming: dict[str, list[str]] = {node: [] for node in self.nodes}
        outgoing: dict[str, list[str]] = {node: [] for node in self.nodes}
        for flow in self.flows:
            outgoing[flow.get("sourceRef", "")].append(flow.get("id", ""))
            incoming[flow.get("targetRef", "")].append(flow.get("id", ""))

        for node_id, node in self.nodes.items():
            for old in node.findall(f"{BPMN}incoming") + node.findall(
                f"{BPMN}outgoing"
            ):
                node.remove(old)
            # The schema puts incoming/outgoing after documentation and
            # extensionElements, before everything specific to the node type.
            position = sum(
                1
                for child in node
                if local(child) in {"documentation", "extensionElements"}
            )
            refs = [("incoming", f) for f in incoming[node_id]] + [
                ("outgoing", f) for f in outgoing[node_id]
            ]
            for offset, (tag, flow_id) in enumerate(refs):
                element = ET.Element(f"{BPMN}{tag}")
                element.text = flow_id
                node.insert(position + offset, element)

    # shapes -------------------------------------------------------------------

    def place_shapes(self) -> None:
        missing = sorted(
            node_id
            for node_id, node in self.nodes.items()
            if node_id not in GRID and local(node) != "boundaryEvent"
        )
        if missing:
            raise SystemExit(f"layout: not in GRID: {', '.join(missing)}")

        columns = max(column for column, _ in GRID.values()) + 1
        widths = [SIZES["event"][2]] * columns
        for node_id, (column, _) in GRID.items():
            kind = shape_kind(local(self.nodes[node_id]))
            widths[column] = max(widths[column], SIZES[kind][2])
        content_x = POOL_X + POOL_LABEL_WIDTH + POOL_PADDING
        centres = [content_x + sum(widths[:i]) + widths[i] / 2 for i in range(columns)]
        pool_width = POOL_LABEL_WIDTH + 2 * POOL_PADDING + sum(widths)

        top = POOL_TOP
        row_y: dict[tuple[str, str], float] = {}
        for participant, process_id, rows, height in POOLS:
            self.pool_boxes[participant] = Box(POOL_X, top, pool_width, height)
            for row, offset in rows.items():
                row_y[(process_id, row)] = top + offset
            top += height + POOL_GAP

        for process_id, process in self.processes.items():
            for child in process:
                node_id = child.get("id", "")
                if node_id not in GRID:
                    continue
                column, row = GRID[node_id]
                width, height, _ = SIZES[shape_kind(local(child))]
                cx, cy = centres[column], row_y[(process_id, row)]
                self.boxes[node_id] = Box(
                    cx - width / 2, cy - height / 2, width, height
                )

        for node_id, node in self.nodes.items():
            if local(node) == "boundaryEvent":
                self.boxes[node_id] = self._boundary_box(node)

    def _boundary_box(self, node: ET.Element) -> Box:
        host = self.boxes[node.get("attachedToRef", "")]
        side = self.boundary_side(node.get("id", ""))
        cy = host.y if side == "top" else host.y + host.height
        cx = host.x + host.width - 36
        return Box(cx - 18, cy - 18, 36, 36)

    def boundary_side(self, node_id: str) -> str:
        """Top if the boundary event's flow leads to a row above its host."""
        node = self.nodes[node_id]
        targets = [
            f.get("targetRef", "") for f in self.flows if f.get("sourceRef") == node_id
        ]
        host = self.boxes[node.get("attachedToRef", "")]
        above = targets and all(self.boxes[t].cy < host.cy for t in targets)
        return "top" if above else "bottom"

    # edges --------------------------------------------------------------------

    def route_sequence_flow(self, flow: ET.Element) -> list[Point]:
        source_id, target_id = flow.get("sourceRef", ""), flow.get("targetRef", "")
        source, target = self.boxes[source_id], self.boxes[target_id]
        self.used_sides[target_id].add("left")

        if abs(source.cy - target.cy) < 1:
            self.used_sides[source_id].add("right")
            return [source.right, target.left]

        kind = local(self.nodes[source_id])
        if kind == "boundaryEvent" or kind in GATEWAYS:
            # Leave vertically towards the target's row, then run along it.
            up = target.cy < source.cy
            start = source.top if up else source.bottom
            self.used_sides[source_id].add("top" if up else "bottom")
            return [start, (start[0], target.cy), target.left]

        self.used_sides[source_id].add("right")
        middle = (source.right[0] + target.left[0]) / 2
        return [source.right, (middle, source.cy), (middle, target.cy), target.left]

    def route_message_flow(self, flow: ET.Element) -> list[Point]:
        source_id, target_id = flow.get("sourceRef", ""), flow.get("targetRef", "")
        source, target = self.boxes[source_id], self.boxes[target_id]
        down = target.cy > source.cy
        start = source.bottom if down else source.top
        end = target.top if down else target.bottom
        self.used_sides[source_id].add("bottom" if down else "top")
        self.used_sides[target_id].add("top" if down else "bottom")
        if abs(start[0] - end[0]) < 1:
            return [start, end]
        gap_y = self.gap_top() + POOL_GAP / 2
        return [start, (start[0], gap_y), (end[0], gap_y), end]

    def gap_top(self) -> float:
        first = self.pool_boxes[POOLS[0][0]]
        return first.y + first.height

    # labels -------------------------------------------------------------------

    def node_label(self, node_id: str) -> Box | None:
        node = self.nodes[node_id]
        name = node.get("name", "")
        kind = local(node)
        if not name or kind in TASKS:
            return None
        box = self.boxes[node_id]
        if kind == "boundaryEvent":
            # Beside the event, away from the host and from the outgoing flow.
            if self.boundary_side(node_id) == "top":
                label = label_box(name, box.x - 4, 0, "right")
                label.y = box.y - label.height + 4
                return label
            return label_box(name, box.x - 4, box.y + box.height - 4, "right")
        used = self.used_sides[node_id]
        if "bottom" not in used:
            return label_box(name, box.cx, box.y + box.height + 6, "centre")
        if "top" not in used:
            label = label_box(name, box.cx, 0, "centre")
            label.y = box.y - 6 - label.height
            return label
        label = label_box(name, box.x + box.width + 6, 0, "left")
        label.y = box.cy - label.height - 4
        return label

    def flow_label(self, flow: ET.Element, waypoints: list[Point]) -> Box | None:
        name = flow.get("name", "")
        if not name:
            return None
        (x0, y0), (_, y1) = waypoints[0], waypoints[1]
        if local(flow) == "messageFlow":
            # In the gap between the pools, right of the vertical line.
            label = label_box(name, x0 + 6, 0, "left")
            label.y = self.gap_top() + (POOL_GAP - label.height) / 2
            return label
        if abs(y0 - y1) < 1:  # leaves sideways: above the first segment
            return label_box(name, x0 + 6, y0 - 4 - LABEL_LINE_HEIGHT, "left")
        if y1 < y0:  # leaves upwards
            return label_box(name, x0 + 6, y0 - 6 - LABEL_LINE_HEIGHT, "left")
        return label_box(name, x0 + 6, y0 + 6, "left")

    # output -------------------------------------------------------------------

    def rebuild_diagram(self) -> None:
        for old in self.root.findall(f"{BPMNDI}BPMNDiagram"):
            self.root.remove(old)
        self.place_shapes()
        message_flows = self.collaboration.findall(f"{BPMN}messageFlow")
        routes = {f.get("id", ""): self.route_sequence_flow(f) for f in self.flows}
        routes |= {f.get("id", ""): self.route_message_flow(f) for f in message_flows}

        diagram = ET.SubElement(
            self.root, f"{BPMNDI}BPMNDiagram", {"id": "Diagram_Order"}
        )
        plane = ET.SubElement(
            diagram,
            f"{BPMNDI}BPMNPlane",
            {"id": "Plane_Order", "bpmnElement": self.collaboration.get("id", "")},
        )
        for participant, box in self.pool_boxes.items():
            self._shape(plane, participant, box, None, {"isHorizontal": "true"})
        for node_id, node in self.nodes.items():
            extra = {}
            if local(node) == "exclusiveGateway":
                extra["isMarkerVisible"] = "true"
            box = self.boxes[node_id]
            self._shape(plane, node_id, box, self.node_label(node_id), extra)
        for flow in [*self.flows, *message_flows]:
            flow_id = flow.get("id", "")
            edge = ET.SubElement(
                plane,
                f"{BPMNDI}BPMNEdge",
                {"id": f"{flow_id}_di", "bpmnElement": flow_id},
            )
            for x, y in routes[flow_id]:
                ET.SubElement(edge, f"{DI}waypoint", {"x": _n(x), "y": _n(y)})
            label = self.flow_label(flow, routes[flow_id])
            if label is not None:
                _label(edge, label)

    def _shape(
        self,
        plane: ET.Element,
        element_id: str,
        box: Box,
        label: Box | None,
        extra: dict[str, str],
    ) -> None:
        shape = ET.SubElement(
            plane,
            f"{BPMNDI}BPMNShape",
            {"id": f"{element_id}_di", "bpmnElement": element_id, **extra},
        )
        _bounds(shape, box)
        if label is not None:
            _label(shape, label)


def _n(value: float) -> str:
    return str(round(value))


def _bounds(parent: ET.Element, box: Box) -> None:
    ET.SubElement(
        parent,
        f"{DC}Bounds",
        {
            "x": _n(box.x),
            "y": _n(box.y),
            "width": _n(box.width),
            "height": _n(box.height),
        },
    )


def _label(parent: ET.Element, box: Box) -> None:
    _bounds(ET.SubElement(parent, f"{BPMNDI}BPMNLabel"), box)


def render(source: bytes) -> bytes:
    """The model with incoming/outgoing filled in and a fresh diagram."""
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(source)
    layout = Layout(root)
    layout.fill_incoming_outgoing()
    layout.rebuild_diagram()
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if not laid out")
    args = parser.parse_args()

    current = MODEL.read_bytes()
    laid_out = render(current)
    if args.check:
        if laid_out != current:
            print(f"{MODEL.relative_to(ROOT)} is not laid out: run this script")
            return 1
        return 0
    MODEL.write_bytes(laid_out)
    print(f"wrote {MODEL.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
