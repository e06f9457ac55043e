//! Generators of valid PDUs (`arbitrary`, proptest) and a mutator deriving near-valid malformed ones.
//!
//! - With the `arbitrary` feature, every PDU type, [`crate::Pdu`] and [`crate::Command`] implement
//!   `arbitrary::Arbitrary`; with the `proptest` feature, `strategy` has a strategy per PDU. Both
//!   are *valid by construction*: whatever they generate encodes to a PDU that strict decoding accepts
//!   and decodes back to an equal value.
//! - [`mutate`] breaks a valid PDU in one precise way and says what a strict receiver must answer.
//!
//! With the `arbitrary` feature, fuzz bytes become a valid [`crate::Command`]:
//!
//! ```
//! # #[cfg(feature = "arbitrary")] {
//! use arbitrary::Unstructured;
//! let cmd: smpp::Command = Unstructured::new(b"any fuzz input at all").arbitrary().unwrap();
//! assert_eq!(smpp::Command::decode(&cmd.to_bytes()).unwrap(), cmd);
//! # }
//! ```
//!
//! `gen` is a reserved word in edition 2024, so the module is spelt `generate` in paths:
//!
//! ```
//! use smpp::generate::mutate::{mutate, Mutation};
//! use smpp::{Command, CommandStatus, Pdu};
//! let valid = Command::new(1, Pdu::EnquireLink);
//! let bad = mutate(&valid, Mutation::SequenceNumberZero);
//! let err = Command::decode(&bad.to_bytes()).unwrap_err();
//! assert_eq!(err.command_status(), CommandStatus::ESME_RUNKNOWNERR);
//! ```

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod model;
pub mod mutate;
#[cfg(feature = "proptest")]
pub mod strategy;

use crate::pdu::CommandId;
use crate::tlv::TlvTag;

/// The SAR triple (§5.3.2.22-24): all three or none.
pub(crate) const SAR_TAGS: [TlvTag; 3] = [
    TlvTag::SAR_MSG_REF_NUM,
    TlvTag::SAR_TOTAL_SEGMENTS,
    TlvTag::SAR_SEGMENT_SEQNUM,
];

#[cfg(any(feature = "arbitrary", feature = "proptest"))]
/// callback_num and the two TLVs that need it (§5.3.2.36-38).
pub(crate) const CALLBACK_TAGS: [TlvTag; 3] = [
    TlvTag::CALLBACK_NUM,
    TlvTag::CALLBACK_NUM_PRES_IND,
    TlvTag::CALLBACK_NUM_ATAG,
];

#[cfg(any(feature = "arbitrary", feature = "proptest"))]
/// The allowed tags a generator may draw one by one: all but the SAR triple and the callback group
/// (generated as groups), and message_payload unless `payload` is set.
pub(crate) fn single_tags(allowed: &[TlvTag], payload: bool) -> Vec<TlvTag> {
    allowed
        .iter()
        .copied()
        .filter(|t| !SAR_TAGS.contains(t) && !CALLBACK_TAGS.contains(t))
        .filter(|t| payload || *t != TlvTag::MESSAGE_PAYLOAD)
        .collect()
}

/// Whether the spec omits this response's body when command_status is not ESME_ROK (§4.1.2,
/// §4.4.2): a strict receiver refuses such a body on an error response.
pub fn body_omitted_on_error(id: CommandId) -> bool {
    matches!(
        id,
        CommandId::BIND_TRANSMITTER_RESP
            | CommandId::BIND_RECEIVER_RESP
            | CommandId::BIND_TRANSCEIVER_RESP
            | CommandId::SUBMIT_SM_RESP
    )
}

#[cfg(any(feature = "arbitrary", feature = "proptest"))]
/// Turns a response with a body into its header-only form (`None`); other PDUs are left as they are.
pub(crate) fn drop_response_body(pdu: &mut crate::pdu::Pdu) {
    use crate::pdu::Pdu;
    match pdu {
        Pdu::BindTransmitterResp(b) | Pdu::BindReceiverResp(b) | Pdu::BindTransceiverResp(b) => {
            *b = None
        }
        Pdu::SubmitSmResp(b) => *b = None,
        Pdu::SubmitMultiResp(b) => *b = None,
        Pdu::DeliverSmResp(b) => *b = None,
        Pdu::DataSmResp(b) => *b = None,
        Pdu::QuerySmResp(b) => *b = None,
        _ => {}
    }
}

/// Whether this PDU is a response whose body is optional (an `Option` in [`crate::Pdu`]).
pub(crate) fn has_optional_body(id: CommandId) -> bool {
    matches!(
        id,
        CommandId::BIND_TRANSMITTER_RESP
            | CommandId::BIND_RECEIVER_RESP
            | CommandId::BIND_TRANSCEIVER_RESP
            | CommandId::SUBMIT_SM_RESP
            | CommandId::SUBMIT_MULTI_RESP
            | CommandId::DELIVER_SM_RESP
            | CommandId::DATA_SM_RESP
            | CommandId::QUERY_SM_RESP
    )
}
