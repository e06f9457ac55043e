//! A by-name view of a PDU's mandatory fields, for tools: dumps, snapshots, matchers and reports.

use crate::pdu::{DestAddress, UnsuccessSme};

/// The value of one mandatory field, borrowed from the PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// An integer of 1, 2 or 4 octets.
    Int(u32),
    /// A C-Octet String's content, without its NUL.
    COctet(&'a [u8]),
    /// An Octet String (e.g. short_message); its length field is implied.
    Octets(&'a [u8]),
    /// submit_multi's destination list.
    DestAddresses(&'a [DestAddress]),
    /// submit_multi_resp's list of failed destinations.
    UnsuccessSmes(&'a [UnsuccessSme]),
}

/// One mandatory field: its spec name and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The spec name (`source_addr`, `esm_class`, ...).
    pub name: &'static str,
    /// The value.
    pub value: FieldValue<'a>,
}
