//! `command_status`: the outcome a response reports (§5.1.3, T 5-2).

use crate::wire::wire_enum;

wire_enum! {
    /// The `command_status` header field and `error_status_code` of submit_multi_resp (§5.1.3, T 5-2).
    ///
    /// Open: reserved, SMPP 5.0 and vendor codes (0x0400–0x04FF) are kept as their number.
    ///
    /// ```
    /// use smpp::CommandStatus;
    /// assert_eq!(CommandStatus::ESME_RTHROTTLED.value(), 0x58);
    /// assert_eq!(CommandStatus(0x0400).to_string(), "0x00000400");
    /// ```
    pub struct CommandStatus(u32) {
        /// No error.
        ESME_ROK = 0x0000_0000 => "ESME_ROK",
        /// Message length is invalid.
        ESME_RINVMSGLEN = 0x0000_0001 => "ESME_RINVMSGLEN",
        /// Command length is invalid.
        ESME_RINVCMDLEN = 0x0000_0002 => "ESME_RINVCMDLEN",
        /// Invalid command ID.
        ESME_RINVCMDID = 0x0000_0003 => "ESME_RINVCMDID",
        /// Incorrect BIND status for given command.
        ESME_RINVBNDSTS = 0x0000_0004 => "ESME_RINVBNDSTS",
        /// ESME already in bound state.
        ESME_RALYBND = 0x0000_0005 => "ESME_RALYBND",
        /// Invalid priority flag.
        ESME_RINVPRTFLG = 0x0000_0006 => "ESME_RINVPRTFLG",
        /// Invalid registered delivery flag.
        ESME_RINVREGDLVFLG = 0x0000_0007 => "ESME_RINVREGDLVFLG",
        /// System error.
        ESME_RSYSERR = 0x0000_0008 => "ESME_RSYSERR",
        /// Invalid source address.
        ESME_RINVSRCADR = 0x0000_000A => "ESME_RINVSRCADR",
        /// Invalid destination address.
        ESME_RINVDSTADR = 0x0000_000B => "ESME_RINVDSTADR",
        /// Message ID is invalid.
        ESME_RINVMSGID = 0x0000_000C => "ESME_RINVMSGID",
        /// Bind failed.
        ESME_RBINDFAIL = 0x0000_000D => "ESME_RBINDFAIL",
        /// Invalid password.
        ESME_RINVPASWD = 0x0000_000E => "ESME_RINVPASWD",
        /// Invalid system ID.
        ESME_RINVSYSID = 0x0000_000F => "ESME_RINVSYSID",
        /// cancel_sm failed.
        ESME_RCANCELFAIL = 0x0000_0011 => "ESME_RCANCELFAIL",
        /// replace_sm failed.
        ESME_RREPLACEFAIL = 0x0000_0013 => "ESME_RREPLACEFAIL",
        /// Message queue full.
        ESME_RMSGQFUL = 0x0000_0014 => "ESME_RMSGQFUL",
        /// Invalid service type.
        ESME_RINVSERTYP = 0x0000_0015 => "ESME_RINVSERTYP",
        /// Invalid number of destinations.
        ESME_RINVNUMDESTS = 0x0000_0033 => "ESME_RINVNUMDESTS",
        /// Invalid distribution list name.
        ESME_RINVDLNAME = 0x0000_0034 => "ESME_RINVDLNAME",
        /// Destination flag is invalid (submit_multi).
        ESME_RINVDESTFLAG = 0x0000_0040 => "ESME_RINVDESTFLAG",
        /// Invalid "submit with replace" request.
        ESME_RINVSUBREP = 0x0000_0042 => "ESME_RINVSUBREP",
        /// Invalid esm_class field data.
        ESME_RINVESMCLASS = 0x0000_0043 => "ESME_RINVESMCLASS",
        /// Cannot submit to distribution list.
        ESME_RCNTSUBDL = 0x0000_0044 => "ESME_RCNTSUBDL",
        /// submit_sm or submit_multi failed.
        ESME_RSUBMITFAIL = 0x0000_0045 => "ESME_RSUBMITFAIL",
        /// Invalid source address TON.
        ESME_RINVSRCTON = 0x0000_0048 => "ESME_RINVSRCTON",
        /// Invalid source address NPI.
        ESME_RINVSRCNPI = 0x0000_0049 => "ESME_RINVSRCNPI",
        /// Invalid destination address TON.
        ESME_RINVDSTTON = 0x0000_0050 => "ESME_RINVDSTTON",
        /// Invalid destination address NPI.
        ESME_RINVDSTNPI = 0x0000_0051 => "ESME_RINVDSTNPI",
        /// Invalid system_type field.
        ESME_RINVSYSTYP = 0x0000_0053 => "ESME_RINVSYSTYP",
        /// Invalid replace_if_present flag.
        ESME_RINVREPFLAG = 0x0000_0054 => "ESME_RINVREPFLAG",
        /// Invalid number of messages.
        ESME_RINVNUMMSGS = 0x0000_0055 => "ESME_RINVNUMMSGS",
        /// Throttling error (ESME has exceeded allowed message limits).
        ESME_RTHROTTLED = 0x0000_0058 => "ESME_RTHROTTLED",
        /// Invalid scheduled delivery time.
        ESME_RINVSCHED = 0x0000_0061 => "ESME_RINVSCHED",
        /// Invalid message validity period (expiry time).
        ESME_RINVEXPIRY = 0x0000_0062 => "ESME_RINVEXPIRY",
        /// Predefined message invalid or not found.
        ESME_RINVDFTMSGID = 0x0000_0063 => "ESME_RINVDFTMSGID",
        /// ESME receiver temporary application error.
        ESME_RX_T_APPN = 0x0000_0064 => "ESME_RX_T_APPN",
        /// ESME receiver permanent application error.
        ESME_RX_P_APPN = 0x0000_0065 => "ESME_RX_P_APPN",
        /// ESME receiver reject message error.
        ESME_RX_R_APPN = 0x0000_0066 => "ESME_RX_R_APPN",
        /// query_sm request failed.
        ESME_RQUERYFAIL = 0x0000_0067 => "ESME_RQUERYFAIL",
        /// Error in the optional part of the PDU body.
        ESME_RINVOPTPARSTREAM = 0x0000_00C0 => "ESME_RINVOPTPARSTREAM",
        /// Optional parameter not allowed.
        ESME_ROPTPARNOTALLWD = 0x0000_00C1 => "ESME_ROPTPARNOTALLWD",
        /// Invalid parameter length.
        ESME_RINVPARLEN = 0x0000_00C2 => "ESME_RINVPARLEN",
        /// Expected optional parameter missing.
        ESME_RMISSINGOPTPARAM = 0x0000_00C3 => "ESME_RMISSINGOPTPARAM",
        /// Invalid optional parameter value.
        ESME_RINVOPTPARAMVAL = 0x0000_00C4 => "ESME_RINVOPTPARAMVAL",
        /// Delivery failure (used for data_sm_resp).
        ESME_RDELIVERYFAILURE = 0x0000_00FE => "ESME_RDELIVERYFAILURE",
        /// Unknown error.
        ESME_RUNKNOWNERR = 0x0000_00FF => "ESME_RUNKNOWNERR",
    }
    hex = 8;
}

impl CommandStatus {
    /// Whether this is ESME_ROK.
    pub const fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// The spec's one-line description of a named status (T 5-2).
    pub const fn description(self) -> Option<&'static str> {
        Some(match self {
            Self::ESME_ROK => "No error",
            Self::ESME_RINVMSGLEN => "Message length is invalid",
            Self::ESME_RINVCMDLEN => "Command length is invalid",
            Self::ESME_RINVCMDID => "Invalid command ID",
            Self::ESME_RINVBNDSTS => "Incorrect BIND status for given command",
            Self::ESME_RALYBND => "ESME already in bound state",
            Self::ESME_RINVPRTFLG => "Invalid priority flag",
            Self::ESME_RINVREGDLVFLG => "Invalid registered delivery flag",
            Self::ESME_RSYSERR => "System error",
            Self::ESME_RINVSRCADR => "Invalid source address",
            Self::ESME_RINVDSTADR => "Invalid destination address",
            Self::ESME_RINVMSGID => "Message ID is invalid",
            Self::ESME_RBINDFAIL => "Bind failed",
            Self::ESME_RINVPASWD => "Invalid password",
            Self::ESME_RINVSYSID => "Invalid system ID",
            Self::ESME_RCANCELFAIL => "cancel_sm failed",
            Self::ESME_RREPLACEFAIL => "replace_sm failed",
            Self::ESME_RMSGQFUL => "Message queue full",
            Self::ESME_RINVSERTYP => "Invalid service type",
            Self::ESME_RINVNUMDESTS => "Invalid number of destinations",
            Self::ESME_RINVDLNAME => "Invalid distribution list name",
            Self::ESME_RINVDESTFLAG => "Destination flag is invalid (submit_multi)",
            Self::ESME_RINVSUBREP => "Invalid 'submit with replace' request",
            Self::ESME_RINVESMCLASS => "Invalid esm_class field data",
            Self::ESME_RCNTSUBDL => "Cannot submit to distribution list",
            Self::ESME_RSUBMITFAIL => "submit_sm or submit_multi failed",
            Self::ESME_RINVSRCTON => "Invalid source address TON",
            Self::ESME_RINVSRCNPI => "Invalid source address NPI",
            Self::ESME_RINVDSTTON => "Invalid destination address TON",
            Self::ESME_RINVDSTNPI => "Invalid destination address NPI",
            Self::ESME_RINVSYSTYP => "Invalid system_type field",
            Self::ESME_RINVREPFLAG => "Invalid replace_if_present flag",
            Self::ESME_RINVNUMMSGS => "Invalid number of messages",
            Self::ESME_RTHROTTLED => "Throttling error (ESME has exceeded allowed message limits)",
            Self::ESME_RINVSCHED => "Invalid scheduled delivery time",
            Self::ESME_RINVEXPIRY => "Invalid message validity period (expiry time)",
            Self::ESME_RINVDFTMSGID => "Predefined message invalid or not found",
            Self::ESME_RX_T_APPN => "ESME receiver temporary application error",
            Self::ESME_RX_P_APPN => "ESME receiver permanent application error",
            Self::ESME_RX_R_APPN => "ESME receiver reject message error",
            Self::ESME_RQUERYFAIL => "query_sm request failed",
            Self::ESME_RINVOPTPARSTREAM => "Error in the optional part of the PDU body",
            Self::ESME_ROPTPARNOTALLWD => "Optional parameter not allowed",
            Self::ESME_RINVPARLEN => "Invalid parameter length",
            Self::ESME_RMISSINGOPTPARAM => "Expected optional parameter missing",
            Self::ESME_RINVOPTPARAMVAL => "Invalid optional parameter value",
            Self::ESME_RDELIVERYFAILURE => "Delivery failure (data_sm_resp)",
            Self::ESME_RUNKNOWNERR => "Unknown error",
            _ => return None,
        })
    }
}
