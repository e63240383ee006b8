"""The supplier's half of the collaboration, in the element ids of the BPMN model."""

from shared.messages import MessageType
from shared.process import (
    HumanTaskType,
    ProcessDefinition,
    State,
    Transition,
    message,
    service,
    task,
)

AWAITING_VERIFICATION = State("awaiting_verification", "Supplier_VerifyOrder")
QUOTING = State("quoting", "Supplier_GenerateQuote")
AWAITING_QUOTE_RESPONSE = State(
    "awaiting_quote_response", "Supplier_AwaitQuoteResponse"
)
IN_FULFILMENT = State("in_fulfilment", "Supplier_ConfirmFulfilment")
AWAITING_RECEIPT = State("awaiting_receipt", "Supplier_AwaitReceipt")
REJECTED = State("rejected", "Supplier_End_Rejected", is_end=True)
DECLINED = State("declined", "Supplier_End_Declined", is_end=True)
EXPIRED = State("expired", "Supplier_End_Expired", is_end=True)
COMPLETED = State("completed", "Supplier_End_Completed", is_end=True)
DISPUTED = State("disputed", "Supplier_End_Disputed", is_end=True)

VERIFY_ORDER = HumanTaskType(
    "verify_order",
    "Supplier_VerifyOrder",
    decisions=("approve", "reject"),
    candidate_role="clerk",
    due_s=4 * 3600,
    needs_reason=("reject",),
)
CONFIRM_FULFILMENT = HumanTaskType(
    "confirm_fulfilment",
    "Supplier_ConfirmFulfilment",
    decisions=("complete",),
    candidate_role="fulfilment",
    due_s=3 * 86400,
)

GENERATE_QUOTE = "generate_quote"

PROCESS = ProcessDefinition(
    process_id="Process_Supplier",
    states=(
        AWAITING_VERIFICATION,
        QUOTING,
        AWAITING_QUOTE_RESPONSE,
        IN_FULFILMENT,
        AWAITING_RECEIPT,
        REJECTED,
        DECLINED,
        EXPIRED,
        COMPLETED,
        DISPUTED,
    ),
    task_types=(VERIFY_ORDER, CONFIRM_FULFILMENT),
    transitions=(
        Transition(
            None,
            message(MessageType.ORDER_PLACED),
            AWAITING_VERIFICATION,
            path=("Supplier_OrderReceived", "Supplier_VerifyOrder"),
            received_by="Supplier_OrderReceived",
            opens_task=VERIFY_ORDER.name,
        ),
        Transition(
            AWAITING_VERIFICATION,
            task(VERIFY_ORDER.name, "reject"),
            REJECTED,
            path=(
                "Supplier_VerifyOrder",
                "Supplier_OrderApprovedGateway",
                "Supplier_End_Rejected",
            ),
            sends=MessageType.ORDER_REJECTED,
            sent_by="Supplier_End_Rejected",
        ),
        Transition(
            AWAITING_VERIFICATION,
            task(VERIFY_ORDER.name, "approve"),
            QUOTING,
            path=(
                "Supplier_VerifyOrder",
                "Supplier_OrderApprovedGateway",
                "Supplier_GenerateQuote",
            ),
        ),
        Transition(
            QUOTING,
            service(GENERATE_QUOTE),
            AWAITING_QUOTE_RESPONSE,
            path=(
                "Supplier_GenerateQuote",
                "Supplier_QuoteIssued",
                "Supplier_AwaitQuoteResponse",
            ),
            sends=MessageType.QUOTE_ISSUED,
            sent_by="Supplier_QuoteIssued",
        ),
        Transition(
            AWAITING_QUOTE_RESPONSE,
            message(MessageType.QUOTE_ACCEPTED),
            IN_FULFILMENT,
            path=(
                "Supplier_AwaitQuoteResponse",
                "Supplier_QuoteAccepted",
                "Supplier_ConfirmFulfilment",
            ),
            received_by="Supplier_QuoteAccepted",
            opens_task=CONFIRM_FULFILMENT.name,
        ),
        Transition(
            AWAITING_QUOTE_RESPONSE,
            message(MessageType.QUOTE_DECLINED),
            DECLINED,
            path=(
                "Supplier_AwaitQuoteResponse",
                "Supplier_QuoteDeclined",
                "Supplier_End_Declined",
            ),
            received_by="Supplier_QuoteDeclined",
        ),
        Transition(
            AWAITING_QUOTE_RESPONSE,
            message(MessageType.QUOTE_EXPIRED),
            EXPIRED,
            path=(
                "Supplier_AwaitQuoteResponse",
                "Supplier_QuoteExpired",
                "Supplier_End_Expired",
            ),
            received_by="Supplier_QuoteExpired",
        ),
        Transition(
            IN_FULFILMENT,
            task(CONFIRM_FULFILMENT.name, "complete"),
            AWAITING_RECEIPT,
            path=(
                "Supplier_ConfirmFulfilment",
                "Supplier_FulfilmentCompleted",
                "Supplier_AwaitReceipt",
            ),
            sends=MessageType.FULFILMENT_COMPLETED,
            sent_by="Supplier_FulfilmentCompleted",
        ),
        Transition(
            AWAITING_RECEIPT,
            message(MessageType.FULFILMENT_CONFIRMED),
            COMPLETED,
            path=(
                "Supplier_AwaitReceipt",
                "Supplier_ReceiptConfirmed",
                "Supplier_End_Completed",
            ),
            received_by="Supplier_ReceiptConfirmed",
        ),
        Transition(
            AWAITING_RECEIPT,
            message(MessageType.FULFILMENT_DISPUTED),
            DISPUTED,
            path=(
                "Supplier_AwaitReceipt",
                "Supplier_DeliveryDisputed",
                "Supplier_End_Disputed",
            ),
            received_by="Supplier_DeliveryDisputed",
        ),
    ),
)
