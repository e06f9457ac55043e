//! Open newtypes over wire numbers: named constants, unknown values kept as they are.

/// Declares an open newtype over an integer that travels on the wire.
///
/// Each named value becomes an associated constant; `name()` gives the spec name of a known value and
/// `Debug`/`Display` print that name, or the raw number in hex for any other value, so unknown or
/// vendor values survive decoding and re-encoding untouched.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($int:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $value:expr => $spec:literal, )*
        }
        hex = $width:literal;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        $vis struct $name(pub $int);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: Self = Self($value); )*

            /// Every named value, in the order the spec lists them.
            pub const ALL: &'static [Self] = &[$(Self::$konst),*];

            /// The spec name of this value, or `None` for a value the spec does not name.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( v if v == $value => Some($spec), )*
                    _ => None,
                }
            }

            /// The value the spec names `name` (exact spelling), if any.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $spec => Some(Self::$konst), )*
                    _ => None,
                }
            }

            /// The raw wire value.
            pub const fn value(self) -> $int {
                self.0
            }
        }

        impl From<$int> for $name {
            fn from(v: $int) -> Self {
                Self(v)
            }
        }

        impl From<$name> for $int {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, concat!("0x{:0", $width, "x}"), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self, f)
            }
        }
    };
}

pub(crate) use wire_enum;
