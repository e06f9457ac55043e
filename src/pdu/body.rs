//! The `body!` macro: one declaration per PDU body gives its struct, decoder, encoder and field view.

/// Declares a PDU body from its mandatory fields in wire order.
///
/// Every body ends with its TLVs; `tlvs:` names the tags the spec allows in it. The generated decoder
/// reads the fields in order through a bounded [`crate::codec::Reader`], so a body can never read past
/// `command_length`; `check:` names an extra function run on the decoded body.
macro_rules! body {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )*
        }
        tlvs: $allowed:expr;
        $( check: $check:path; )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Optional parameters (TLVs), in wire order.
            pub tlvs: $crate::tlv::Tlvs,
        }

        impl $name {
            /// The TLV tags the spec allows in this PDU.
            pub const ALLOWED_TLVS: &'static [$crate::tlv::TlvTag] = $allowed;

            /// Reads the body; a failure is recorded in the reader (check it after).
            #[inline]
            pub(crate) fn decode_body(r: &mut $crate::codec::Reader<'_>) -> Self {
                let body = Self {
                    $( $field: $crate::codec::WireField::read(r, stringify!($field)), )*
                    tlvs: $crate::tlv::Tlvs::read(r, r.header().command_id, Self::ALLOWED_TLVS),
                };
                $( $check(&body, r); )?
                body
            }

            #[inline]
            pub(crate) fn write_body(&self, w: &mut $crate::codec::Writer<'_>) {
                $( $crate::codec::WireField::write(&self.$field, w); )*
                self.tlvs.write(w);
            }

            #[inline]
            pub(crate) fn body_len(&self) -> usize {
                0 $( + $crate::codec::WireField::wire_len(&self.$field) )* + self.tlvs.wire_len()
            }

            /// The mandatory fields by spec name, in wire order (length fields such as sm_length are
            /// implied by the value they measure).
            pub fn fields(&self) -> Vec<$crate::fields::Field<'_>> {
                vec![$(
                    $crate::fields::Field {
                        name: stringify!($field),
                        value: $crate::codec::WireField::field_value(&self.$field),
                    },
                )*]
            }
        }
    };
}

pub(crate) use body;

/// §5.3.2.32: "only one of short_message and message_payload may be used"; sm_length is 0 with a
/// payload.
pub(crate) fn payload_or_short_message(
    short_message: &super::ShortMessage,
    tlvs: &crate::tlv::Tlvs,
    r: &mut crate::codec::Reader<'_>,
) {
    if !short_message.is_empty() && tlvs.contains(crate::tlv::TlvTag::MESSAGE_PAYLOAD) {
        let at = r.pos();
        r.deviation_at(at, crate::error::DecodeErrorKind::PayloadAndShortMessage);
    }
}
