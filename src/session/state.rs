//! Session states (§2.2), roles, bind types and the rule of which PDU may be sent in which state
//! (§2.3, T 2-1).

use crate::pdu::{Bind, CommandId, Pdu};

/// Which end of the link a session plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// External Short Message Entity: binds, submits, receives deliver_sm.
    Esme,
    /// Short Message Service Centre: accepts binds, delivers, may send outbind.
    Smsc,
}

impl Role {
    /// The other end.
    pub const fn peer(self) -> Self {
        match self {
            Self::Esme => Self::Smsc,
            Self::Smsc => Self::Esme,
        }
    }
}

/// How an ESME is bound (§2.2): which of the three bind operations it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindType {
    /// bind_transmitter: BOUND_TX.
    Transmitter,
    /// bind_receiver: BOUND_RX.
    Receiver,
    /// bind_transceiver: BOUND_TRX.
    Transceiver,
}

impl BindType {
    /// The three, in the order of T 2-1's columns.
    pub const ALL: [Self; 3] = [Self::Transmitter, Self::Receiver, Self::Transceiver];

    /// The bind request's command_id.
    pub const fn request_id(self) -> CommandId {
        match self {
            Self::Transmitter => CommandId::BIND_TRANSMITTER,
            Self::Receiver => CommandId::BIND_RECEIVER,
            Self::Transceiver => CommandId::BIND_TRANSCEIVER,
        }
    }

    /// The bind response's command_id.
    pub const fn response_id(self) -> CommandId {
        match self {
            Self::Transmitter => CommandId::BIND_TRANSMITTER_RESP,
            Self::Receiver => CommandId::BIND_RECEIVER_RESP,
            Self::Transceiver => CommandId::BIND_TRANSCEIVER_RESP,
        }
    }

    /// The bind type a bind request or bind response id names.
    pub const fn from_command_id(id: CommandId) -> Option<Self> {
        match id.0 & 0x7FFF_FFFF {
            0x0000_0002 => Some(Self::Transmitter),
            0x0000_0001 => Some(Self::Receiver),
            0x0000_0009 => Some(Self::Transceiver),
            _ => None,
        }
    }

    /// The bind request PDU of this type.
    pub fn request(self, bind: Bind) -> Pdu {
        match self {
            Self::Transmitter => Pdu::BindTransmitter(bind),
            Self::Receiver => Pdu::BindReceiver(bind),
            Self::Transceiver => Pdu::BindTransceiver(bind),
        }
    }

    /// The state name the spec gives a session bound this way.
    pub const fn state_name(self) -> &'static str {
        match self {
            Self::Transmitter => "BOUND_TX",
            Self::Receiver => "BOUND_RX",
            Self::Transceiver => "BOUND_TRX",
        }
    }
}

/// The state of a [`Session`](super::Session): the five states of §2.2 plus the two transient ones a
/// request/response protocol needs.
///
/// ```text
///            connection established (the SMSC may send outbind; the ESME answers bind_receiver)
///                 |
///                 v
///            +---------+   ESME sends bind_*          +-----------------+
///            |  OPEN   | ---------------------------> |     BINDING     |
///            |         |   SMSC receives bind_*       |  (bind_* sent / |
///            |         | <--------------------------- |  not answered)  |
///            +---------+   bind_*_resp with an error  +-----------------+
///                 |        or generic_nack                    |
///                 |                                           | bind_*_resp ESME_ROK
///                 |                                           v
///                 |                       +--------------------------------------+
///                 |                       |  BOUND_TX  |  BOUND_RX  |  BOUND_TRX   |
///                 |                       +--------------------------------------+
///                 |                          | unbind sent         | unbind received:
///                 |                          v                     | unbind_resp sent
///                 |                    +-----------+               |
///                 |                    | UNBINDING |               |
///                 |                    +-----------+               |
///                 |                          | unbind_resp         |
///                 | close, timeout,          | received            |
///                 | framing error            v                     |
///                 +--------------------> +--------+ <--------------+
///                   (from any state)     | CLOSED |
///                                        +--------+
/// ```
///
/// For the rules of T 2-1, BINDING counts as OPEN and UNBINDING as the bound state it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// OPEN: connected, not bound (a refused bind comes back here).
    Open,
    /// A bind is in progress: the ESME sent it and waits for the response; the SMSC received it and
    /// waits for the application's [`respond`](super::Session::respond).
    Binding(BindType),
    /// BOUND_TX, BOUND_RX or BOUND_TRX.
    Bound(BindType),
    /// This end sent unbind and waits for unbind_resp.
    Unbinding(BindType),
    /// CLOSED: unbound or disconnected; nothing more is sent or received.
    Closed,
}

impl State {
    /// The spec's name of the state (`"OPEN"`, `"BOUND_TRX"`, ...; the transient states print as
    /// `"BINDING"` and `"UNBINDING"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Binding(_) => "BINDING",
            Self::Bound(b) => b.state_name(),
            Self::Unbinding(_) => "UNBINDING",
            Self::Closed => "CLOSED",
        }
    }

    /// The bind type while bound or unbinding.
    pub const fn bind_type(self) -> Option<BindType> {
        match self {
            Self::Bound(b) | Self::Unbinding(b) => Some(b),
            _ => None,
        }
    }

    /// Whether this is BOUND_TX, BOUND_RX or BOUND_TRX.
    pub const fn is_bound(self) -> bool {
        matches!(self, Self::Bound(_))
    }

    /// Whether `next` may follow this state in one step (the arrows of the diagram; staying put is
    /// allowed).
    pub fn can_become(self, next: Self) -> bool {
        use State::*;
        self == next
            || match (self, next) {
                (Closed, _) => false,
                (_, Closed) => true,
                (Open, Binding(_)) => true,
                (Binding(_), Open) => true,
                (Binding(a), Bound(b)) | (Bound(a), Unbinding(b)) => a == b,
                _ => false,
            }
    }

    /// The T 2-1 column this state uses.
    const fn column(self) -> Option<u8> {
        match self {
            Self::Open | Self::Binding(_) => Some(OPEN),
            Self::Bound(b) | Self::Unbinding(b) => Some(match b {
                BindType::Transmitter => TX,
                BindType::Receiver => RX,
                BindType::Transceiver => TRX,
            }),
            Self::Closed => None,
        }
    }
}

impl core::fmt::Display for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The two places where T 2-1 and common practice differ (reference §7.3, ⚠ notes). Both are SMPP 5.0
/// rules that many v3.4 peers follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extensions {
    /// Allow enquire_link and enquire_link_resp in OPEN, both ways. T 2-1 forbids them; SMPP 5.0
    /// allows them and some ESMEs probe the link before binding (cloudhopper answers them).
    pub enquire_link_in_open: bool,
    /// Allow replace_sm and replace_sm_resp in BOUND_TRX. T 2-1 lists BOUND_TX only, which reads as a
    /// slip: a transceiver may submit, query and cancel, and SMPP 5.0 allows replace too.
    pub replace_sm_in_trx: bool,
}

impl Extensions {
    /// T 2-1 to the letter.
    pub const NONE: Self = Self {
        enquire_link_in_open: false,
        replace_sm_in_trx: false,
    };
    /// Both extensions: the default, because refusing them breaks real peers and accepting them
    /// harms none.
    pub const PRAGMATIC: Self = Self {
        enquire_link_in_open: true,
        replace_sm_in_trx: true,
    };
}

impl Default for Extensions {
    fn default() -> Self {
        Self::PRAGMATIC
    }
}

const OPEN: u8 = 1;
const TX: u8 = 2;
const RX: u8 = 4;
const TRX: u8 = 8;
const BOUND: u8 = TX | RX | TRX;
const E: u8 = 1;
const S: u8 = 2;

/// T 2-1 as (columns, senders) for one command_id; `None` for ids v3.4 does not define.
const fn table(id: CommandId, ext: Extensions) -> Option<(u8, u8)> {
    let enquire = if ext.enquire_link_in_open {
        OPEN | BOUND
    } else {
        BOUND
    };
    let replace = if ext.replace_sm_in_trx { TX | TRX } else { TX };
    Some(match id {
        CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER => {
            (OPEN, E)
        }
        CommandId::BIND_TRANSMITTER_RESP
        | CommandId::BIND_RECEIVER_RESP
        | CommandId::BIND_TRANSCEIVER_RESP => (OPEN, S),
        CommandId::OUTBIND => (OPEN, S),
        CommandId::UNBIND | CommandId::UNBIND_RESP => (BOUND, E | S),
        CommandId::SUBMIT_SM | CommandId::SUBMIT_MULTI => (TX | TRX, E),
        CommandId::SUBMIT_SM_RESP | CommandId::SUBMIT_MULTI_RESP => (TX | TRX, S),
        CommandId::DATA_SM | CommandId::DATA_SM_RESP => (BOUND, E | S),
        CommandId::DELIVER_SM => (RX | TRX, S),
        CommandId::DELIVER_SM_RESP => (RX | TRX, E),
        CommandId::QUERY_SM | CommandId::CANCEL_SM => (TX | TRX, E),
        CommandId::QUERY_SM_RESP | CommandId::CANCEL_SM_RESP => (TX | TRX, S),
        CommandId::REPLACE_SM => (replace, E),
        CommandId::REPLACE_SM_RESP => (replace, S),
        CommandId::ENQUIRE_LINK | CommandId::ENQUIRE_LINK_RESP => (enquire, E | S),
        CommandId::ALERT_NOTIFICATION => (RX | TRX, S),
        // T 2-1 leaves OPEN blank (⚠), but a receiver of an undecodable or unknown PDU before the bind
        // still has to answer it (§4.3), so generic_nack is allowed everywhere.
        CommandId::GENERIC_NACK => (OPEN | BOUND, E | S),
        _ => return None,
    })
}

/// Whether `sender` may send `command_id` in `state`, by T 2-1 (§2.3) with `ext` applied.
///
/// BINDING counts as OPEN and UNBINDING as the bound state it left; nothing is allowed in CLOSED; ids
/// v3.4 does not define are never allowed. Session-level limits beyond the table (one bind at a time,
/// nothing new after unbind) are the [`Session`](super::Session)'s.
///
/// ```
/// use smpp::CommandId;
/// use smpp::session::{allowed, BindType, Extensions, Role, State};
/// let rx = State::Bound(BindType::Receiver);
/// assert!(allowed(rx, Role::Smsc, CommandId::DELIVER_SM, Extensions::NONE));
/// assert!(!allowed(rx, Role::Esme, CommandId::SUBMIT_SM, Extensions::NONE));
/// assert!(!allowed(State::Open, Role::Esme, CommandId::ENQUIRE_LINK, Extensions::NONE));
/// assert!(allowed(State::Open, Role::Esme, CommandId::ENQUIRE_LINK, Extensions::PRAGMATIC));
/// ```
pub fn allowed(state: State, sender: Role, command_id: CommandId, ext: Extensions) -> bool {
    let (Some(column), Some((columns, senders))) = (state.column(), table(command_id, ext)) else {
        return false;
    };
    let who = match sender {
        Role::Esme => E,
        Role::Smsc => S,
    };
    columns & column != 0 && senders & who != 0
}

/// The v3.4 requests `sender` may send in `state` (what a wrong-state error expected instead).
pub fn allowed_requests(
    state: State,
    sender: Role,
    ext: Extensions,
) -> impl Iterator<Item = CommandId> {
    CommandId::ALL
        .iter()
        .copied()
        .filter(move |id| !id.is_response() && allowed(state, sender, *id, ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// T 2-1 transcribed row by row (reference §7.3): for each PDU, the cell of OPEN, BOUND_TX,
    /// BOUND_RX and BOUND_TRX. `E`, `S`, `ES` or `-`; `?` marks the ⚠ cells the extensions open.
    const T2_1: &[(&str, [&str; 4])] = &[
        ("bind_transmitter", ["E", "-", "-", "-"]),
        ("bind_receiver", ["E", "-", "-", "-"]),
        ("bind_transceiver", ["E", "-", "-", "-"]),
        ("bind_transmitter_resp", ["S", "-", "-", "-"]),
        ("bind_receiver_resp", ["S", "-", "-", "-"]),
        ("bind_transceiver_resp", ["S", "-", "-", "-"]),
        ("outbind", ["S", "-", "-", "-"]),
        ("unbind", ["-", "ES", "ES", "ES"]),
        ("unbind_resp", ["-", "ES", "ES", "ES"]),
        ("submit_sm", ["-", "E", "-", "E"]),
        ("submit_multi", ["-", "E", "-", "E"]),
        ("submit_sm_resp", ["-", "S", "-", "S"]),
        ("submit_multi_resp", ["-", "S", "-", "S"]),
        ("data_sm", ["-", "ES", "ES", "ES"]),
        ("data_sm_resp", ["-", "ES", "ES", "ES"]),
        ("deliver_sm", ["-", "-", "S", "S"]),
        ("deliver_sm_resp", ["-", "-", "E", "E"]),
        ("query_sm", ["-", "E", "-", "E"]),
        ("cancel_sm", ["-", "E", "-", "E"]),
        ("query_sm_resp", ["-", "S", "-", "S"]),
        ("cancel_sm_resp", ["-", "S", "-", "S"]),
        ("replace_sm", ["-", "E", "-", "E?"]),
        ("replace_sm_resp", ["-", "S", "-", "S?"]),
        ("enquire_link", ["ES?", "ES", "ES", "ES"]),
        ("enquire_link_resp", ["ES?", "ES", "ES", "ES"]),
        ("alert_notification", ["-", "-", "S", "S"]),
        ("generic_nack", ["ES", "ES", "ES", "ES"]),
    ];

    #[test]
    fn every_cell_of_t2_1() {
        let states = [
            State::Open,
            State::Bound(BindType::Transmitter),
            State::Bound(BindType::Receiver),
            State::Bound(BindType::Transceiver),
        ];
        assert_eq!(
            T2_1.len(),
            CommandId::ALL.len(),
            "one row per v3.4 command_id"
        );
        for (name, cells) in T2_1 {
            let id = CommandId::from_name(name).unwrap();
            for (state, cell) in states.iter().zip(cells) {
                for ext in [Extensions::NONE, Extensions::PRAGMATIC] {
                    let open = !cell.ends_with('?') || ext == Extensions::PRAGMATIC;
                    for (role, letter) in [(Role::Esme, 'E'), (Role::Smsc, 'S')] {
                        let want = open && cell.contains(letter);
                        assert_eq!(
                            allowed(*state, role, id, ext),
                            want,
                            "{name} from {role:?} in {state} with {ext:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn transient_states_use_their_column_and_closed_allows_nothing() {
        let ext = Extensions::NONE;
        for b in BindType::ALL {
            assert!(allowed(
                State::Binding(b),
                Role::Esme,
                CommandId::BIND_TRANSMITTER,
                ext
            ));
            assert!(allowed(
                State::Unbinding(b),
                Role::Smsc,
                CommandId::UNBIND_RESP,
                ext
            ));
        }
        for id in CommandId::ALL {
            assert!(!allowed(
                State::Closed,
                Role::Esme,
                *id,
                Extensions::PRAGMATIC
            ));
            assert!(!allowed(
                State::Closed,
                Role::Smsc,
                *id,
                Extensions::PRAGMATIC
            ));
        }
        assert!(!allowed(State::Open, Role::Esme, CommandId(0x22), ext));
    }

    #[test]
    fn transitions() {
        let tx = BindType::Transmitter;
        let rx = BindType::Receiver;
        assert!(State::Open.can_become(State::Binding(tx)));
        assert!(State::Binding(tx).can_become(State::Bound(tx)));
        assert!(!State::Binding(tx).can_become(State::Bound(rx)));
        assert!(!State::Open.can_become(State::Bound(tx)));
        assert!(!State::Bound(tx).can_become(State::Open));
        assert!(State::Unbinding(tx).can_become(State::Closed));
        assert!(!State::Closed.can_become(State::Open));
    }

    #[test]
    fn bind_type_ids() {
        for b in BindType::ALL {
            assert_eq!(BindType::from_command_id(b.request_id()), Some(b));
            assert_eq!(BindType::from_command_id(b.response_id()), Some(b));
            assert_eq!(b.request_id().response(), Some(b.response_id()));
        }
        assert_eq!(BindType::from_command_id(CommandId::SUBMIT_SM), None);
    }
}
