"""The buyer's half of the collaboration, in the element ids of the BPMN model."""

from shared.messages import MessageType
from shared.process import (
    START,
    HumanTaskType,
    ProcessDefinition,
    State,
    Transition,
    message,
    task,
    timer,
)

AWAITING_VERIFICATION = State("awaiting_verification", "Client_AwaitVerification")
AWAITING_QUOTE_DECISION = State("awaiting_quote_decision", "Client_ConfirmQuote")
AWAITING_FULFILMENT = State("awaiting_fulfilment", "Client_AwaitFulfilment")
AWAITING_RECEIPT = State("awaiting_receipt", "Client_ConfirmReceipt")
REJECTED = State("rejected", "Client_End_Rejected", is_end=True)
DECLINED = State("declined", "Client_End_Declined", is_end=True)
EXPIRED = State("expired", "Client_End_Expired", is_end=True)
COMPLETED = State("completed", "Client_End_Completed", is_end=True)
DISPUTED = State("disputed", "Client_End_Disputed", is_end=True)

CONFIRM_QUOTE = HumanTaskType(
    "confirm_quote",
    "Client_ConfirmQuote",
    decisions=("accept", "decline"),
    candidate_role="buyer",
    due_s=2 * 86400,
)
CONFIRM_RECEIPT = HumanTaskType(
    "confirm_receipt",
    "Client_ConfirmReceipt",
    decisions=("confirm", "dispute"),
    candidate_role="buyer",
    due_s=7 * 86400,
    needs_reason=("dispute",),
)

QUOTE_EXPIRY = "quote_expiry"

PROCESS = ProcessDefinition(
    process_id="Process_Client",
    states=(
        AWAITING_VERIFICATION,
        AWAITING_QUOTE_DECISION,
        AWAITING_FULFILMENT,
        AWAITING_RECEIPT,
        REJECTED,
        DECLINED,
        EXPIRED,
        COMPLETED,
        DISPUTED,
    ),
    task_types=(CONFIRM_QUOTE, CONFIRM_RECEIPT),
    transitions=(
        Transition(
            None,
            START,
            AWAITING_VERIFICATION,
            path=("Client_Start", "Client_PlaceOrder", "Client_AwaitVerification"),
            sends=MessageType.ORDER_PLACED,
            sent_by="Client_PlaceOrder",
        ),
        Transition(
            AWAITING_VERIFICATION,
            message(MessageType.ORDER_REJECTED),
            REJECTED,
            path=(
                "Client_AwaitVerification",
                "Client_RejectionReceived",
                "Client_End_Rejected",
            ),
            received_by="Client_RejectionReceived",
        ),
        Transition(
            AWAITING_VERIFICATION,
            message(MessageType.QUOTE_ISSUED),
            AWAITING_QUOTE_DECISION,
            path=(
                "Client_AwaitVerification",
                "Client_QuoteReceived",
                "Client_ConfirmQuote",
            ),
            received_by="Client_QuoteReceived",
            opens_task=CONFIRM_QUOTE.name,
        ),
        Transition(
            AWAITING_QUOTE_DECISION,
            task(CONFIRM_QUOTE.name, "accept"),
            AWAITING_FULFILMENT,
            path=(
                "Client_ConfirmQuote",
                "Client_QuoteAcceptedGateway",
                "Client_SendAcceptance",
                "Client_AwaitFulfilment",
            ),
            sends=MessageType.QUOTE_ACCEPTED,
            sent_by="Client_SendAcceptance",
        ),
        Transition(
            AWAITING_QUOTE_DECISION,
            task(CONFIRM_QUOTE.name, "decline"),
            DECLINED,
            path=(
                "Client_ConfirmQuote",
                "Client_QuoteAcceptedGateway",
                "Client_End_Declined",
            ),
            sends=MessageType.QUOTE_DECLINED,
            sent_by="Client_End_Declined",
        ),
        Transition(
            AWAITING_QUOTE_DECISION,
            timer(QUOTE_EXPIRY),
            EXPIRED,
            path=("Client_ConfirmQuote", "Client_QuoteExpiry", "Client_End_Expired"),
            sends=MessageType.QUOTE_EXPIRED,
            sent_by="Client_End_Expired",
        ),
        Transition(
            AWAITING_FULFILMENT,
            message(MessageType.FULFILMENT_COMPLETED),
            AWAITING_RECEIPT,
            path=("Client_AwaitFulfilment", "Client_ConfirmReceipt"),
            received_by="Client_AwaitFulfilment",
            opens_task=CONFIRM_RECEIPT.name,
        ),
        Transition(
            AWAITING_RECEIPT,
            task(CONFIRM_RECEIPT.name, "confirm"),
            COMPLETED,
            path=(
                "Client_ConfirmReceipt",
                "Client_ReceiptGateway",
                "Client_End_Completed",
            ),
            sends=MessageType.FULFILMENT_CONFIRMED,
            sent_by="Client_End_Completed",
        ),
        Transition(
            AWAITING_RECEIPT,
            task(CONFIRM_RECEIPT.name, "dispute"),
            DISPUTED,
            path=(
                "Client_ConfirmReceipt",
                "Client_ReceiptGateway",
                "Client_End_Disputed",
            ),
            sends=MessageType.FULFILMENT_DISPUTED,
            sent_by="Client_End_Disputed",
        ),
    ),
)
