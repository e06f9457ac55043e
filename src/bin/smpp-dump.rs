//! `smpp-dump`: decodes SMPP v3.4 PDUs given as hex or binary and prints them as text or NDJSON.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use smpp::dump::{self, DumpOptions, Items, parse_hex};
use smpp::text::Alphabet as TextAlphabet;
use smpp::{DEFAULT_MAX_COMMAND_LENGTH, DecodeOptions};

const AFTER_HELP: &str = "\
INPUT:
  Hex text: octets as hex digits; whitespace, ',' and ':' between them and a 0x prefix on
  any group are ignored, as is everything from '#' to the end of a line (so the
  fixtures/pdus/*.hex files read as they are). A path that exists is read as a file: hex
  text when it is hex text, else binary PDUs back to back (a PDU's first octet is 0x00, so
  the two never mix up); --file forces binary. Standard input (no INPUT, or '-') is read
  the same way.

DECODING:
  Lenient by default: deviations from the spec a peer may send (a missing NUL, an over-long
  string, a TLV not allowed in the PDU, sequence_number 0, ...) are decoded and shown as
  warnings, since a dump is there to show what is on the wire. --strict rejects them as a
  receiver following the spec would, and shows the command_status it would answer with.
  A bad body moves on to the next PDU; a command_length out of bounds skips to the next
  plausible header; octets left at the end are an incomplete PDU. Each is an error record.

EXIT STATUS:
  0 every PDU decoded, 1 some octets did not decode, 2 usage error or unreadable input.

EXAMPLES:
  smpp-dump 00000010000000150000000000000003
  smpp-dump '00 00 00 10 80 00 00 04 00 00 00 45 00 00 00 03' --json
  smpp-dump capture.bin --hexdump
  smpp-dump --file stream.bin --strict --max-length 4096
  xxd -p capture.bin | smpp-dump --json | jq .short_message_text";

/// Decodes SMPP v3.4 PDUs and shows every field by its spec name.
#[derive(Debug, Parser)]
#[command(name = "smpp-dump", version, after_help = AFTER_HELP)]
struct Args {
    /// Hex octets (several arguments are joined), or files of hex text or binary PDUs (read one
    /// after the other); '-' or nothing: standard input.
    input: Vec<String>,

    /// Read binary PDUs back to back from FILE (no hex detection).
    #[arg(short, long, value_name = "FILE", conflicts_with = "input")]
    file: Option<PathBuf>,

    /// Print one JSON object per line (NDJSON) for each PDU or error.
    #[arg(long)]
    json: bool,

    /// Add a hex dump of each PDU to the text output.
    #[arg(short = 'x', long)]
    hexdump: bool,

    /// Reject every deviation from the spec instead of showing it as a warning.
    #[arg(long)]
    strict: bool,

    /// Refuse a command_length above this many octets.
    #[arg(long, value_name = "OCTETS", default_value_t = DEFAULT_MAX_COMMAND_LENGTH)]
    max_length: u32,

    /// How to read short_message with data_coding 0 (SMSC default alphabet).
    #[arg(long, value_enum, default_value_t = Alphabet::Gsm7)]
    default_alphabet: Alphabet,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Alphabet {
    /// GSM 03.38, one septet per octet.
    Gsm7,
    /// IA5 / ASCII.
    Ascii,
    /// ISO-8859-1.
    Latin1,
    /// UCS2 (UTF-16BE).
    Ucs2,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let input = match read_input(&args) {
        Ok(bytes) => bytes,
        Err(msg) => {
            eprintln!("smpp-dump: {msg}");
            return ExitCode::from(2);
        }
    };
    let decode = if args.strict {
        DecodeOptions::STRICT
    } else {
        DecodeOptions::LENIENT
    };
    let opts = DumpOptions::default().with_default_alphabet(match args.default_alphabet {
        Alphabet::Gsm7 => TextAlphabet::Gsm7,
        Alphabet::Ascii => TextAlphabet::Ia5,
        Alphabet::Latin1 => TextAlphabet::Latin1,
        Alphabet::Ucs2 => TextAlphabet::Ucs2,
    });

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for (i, item) in Items::new(&input, args.max_length, decode).enumerate() {
        failed |= item.is_error();
        let written = if args.json {
            writeln!(out, "{}", item.to_json(&opts))
        } else {
            if i > 0 {
                let _ = writeln!(out);
            }
            let mut text = item.to_text(&opts);
            if args.hexdump {
                text.push_str(&dump::hex_dump(item.octets()));
            }
            write!(out, "{text}")
        };
        if written.is_err() {
            // A closed pipe (e.g. `| head`): stop quietly.
            break;
        }
    }
    let _ = out.flush();
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_input(args: &Args) -> Result<Vec<u8>, String> {
    if let Some(path) = &args.file {
        return read_file(path);
    }
    match args.input.as_slice() {
        [] => read_stdin(),
        [arg] if arg == "-" => read_stdin(),
        paths @ [first, ..] if Path::new(first).exists() => {
            let mut all = Vec::new();
            for path in paths {
                all.extend(hex_or_binary(read_file(Path::new(path))?));
            }
            Ok(all)
        }
        args => {
            let text = args.join(" ");
            parse_hex(&text).map_err(|e| {
                format!("{text:?} is neither a file nor hex: {e} (see smpp-dump --help)")
            })
        }
    }
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(hex_or_binary(buf))
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The octets of `buf` read as hex text when it is hex text, else `buf` as it is.
fn hex_or_binary(buf: Vec<u8>) -> Vec<u8> {
    match std::str::from_utf8(&buf).ok().map(parse_hex) {
        Some(Ok(octets)) => octets,
        _ => buf,
    }
}
