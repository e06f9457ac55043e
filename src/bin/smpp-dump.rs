//! `smpp-dump`: decodes SMPP v3.4 PDUs given as hex, binary or a packet capture and prints them
//! as text or NDJSON.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use smpp::dump::{self, CapturedItem, DumpOptions, Items, parse_hex};
use smpp::pcap::read::{Capture, FileKind, ReadOptions, rfc3339};
use smpp::pcap::stats::Stats;
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

CAPTURES:
  A file (or standard input) starting with a pcap or pcapng magic number is read as a packet
  capture: link types Ethernet (VLAN tags too), Linux cooked SLL/SLL2, raw IP and BSD
  loopback; IPv4 and IPv6. TCP connections with an end on --port (2775) are reassembled per
  direction and cut into PDUs; --any-port (or --port 0) also follows connections on other
  ports whose first octets look like an SMPP header. Each PDU line starts with its time
  stamp, record number, connection number, direction (esme_to_smsc / smsc_to_esme) and
  'src → dst'; --json adds ts, frame_number, connection, src, dst, conn, direction,
  gap_before (and first_ts, first_frame_number) to the fields, with offset the offset in the
  TCP stream. Missing octets (gap), octets skipped to resynchronise and PDUs cut short are
  error records; decoding goes on after them. Notes about the capture itself (truncated
  records, IP fragments, a file cut short) go to standard error.
  --stats prints, instead of the PDUs, their counts per command_id and per command_status
  (of responses) and the response latency per request type (a response matched to its
  request by connection and sequence_number): min, median, p95, max, as a table or, with
  --json, as one JSON object.

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
  smpp-dump capture.pcap --json | jq 'select(.command_id == \"submit_sm\")'
  smpp-dump capture.pcapng --port 9000 --stats
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

    /// Captures: the TCP port SMPP runs on (either end); 0 looks at every port.
    #[arg(long, value_name = "PORT", default_value_t = smpp::pcap::read::DEFAULT_PORT)]
    port: u16,

    /// Captures: also follow connections on other ports whose first octets look like SMPP.
    #[arg(long)]
    any_port: bool,

    /// Captures: print counts per command_id and command_status and response latencies
    /// instead of the PDUs.
    #[arg(long)]
    stats: bool,
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
    match capture_paths(&args) {
        Ok(Some(paths)) => {
            let mut inputs: Vec<(String, Box<dyn Read>)> = Vec::new();
            for path in paths {
                match std::fs::File::open(&path) {
                    Ok(f) => inputs.push((path, Box::new(f))),
                    Err(e) => {
                        eprintln!("smpp-dump: cannot read {path}: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            return dump_captures(&args, inputs);
        }
        Ok(None) => {}
        Err(msg) => {
            eprintln!("smpp-dump: {msg}");
            return ExitCode::from(2);
        }
    }
    let input = match read_input(&args) {
        Ok(bytes) => bytes,
        Err(msg) => {
            eprintln!("smpp-dump: {msg}");
            return ExitCode::from(2);
        }
    };
    if args.file.is_none() && FileKind::sniff(&input).is_some() {
        // A capture on standard input.
        let stdin: Box<dyn Read> = Box::new(std::io::Cursor::new(input));
        return dump_captures(&args, vec![("-".to_owned(), stdin)]);
    }
    if args.stats {
        eprintln!("smpp-dump: --stats needs a packet capture (pcap or pcapng) as input");
        return ExitCode::from(2);
    }
    let (decode, opts) = decode_options(&args);

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

fn decode_options(args: &Args) -> (DecodeOptions, DumpOptions) {
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
    (decode, opts)
}

/// Where the captures to read are: `Some` when the input is one or more capture files (or a
/// capture on standard input, `-`), `None` for hex or binary PDUs.
fn capture_paths(args: &Args) -> Result<Option<Vec<String>>, String> {
    let paths: Vec<&String> = match (&args.file, args.input.as_slice()) {
        (Some(_), _) => return Ok(None),
        (None, []) => return Ok(None),
        (None, [arg]) if arg == "-" => return Ok(None),
        (None, paths @ [first, ..]) if Path::new(first).is_file() => paths.iter().collect(),
        _ => return Ok(None),
    };
    let mut kinds = Vec::new();
    for path in &paths {
        let mut prefix = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| {
                let mut n = 0;
                while n < 4 {
                    match f.read(&mut prefix[n..])? {
                        0 => break,
                        k => n += k,
                    }
                }
                Ok(n)
            })
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        kinds.push(FileKind::sniff(&prefix[..n]).is_some());
    }
    match (kinds.iter().all(|k| *k), kinds.iter().any(|k| *k)) {
        (true, _) => Ok(Some(paths.into_iter().cloned().collect())),
        (false, false) => Ok(None),
        (false, true) => Err("captures and PDU files cannot be mixed in one run".into()),
    }
}

fn dump_captures(args: &Args, inputs: Vec<(String, Box<dyn Read>)>) -> ExitCode {
    let (decode, opts) = decode_options(args);
    let read_opts = ReadOptions::default()
        .with_port(args.port)
        .with_any_port(args.any_port)
        .with_max_command_length(args.max_length);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut stats = Stats::default();
    let mut first = true;
    let mut closed = false;
    for (path, file) in inputs {
        let mut capture = match Capture::new(file, read_opts) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("smpp-dump: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        for record in capture.by_ref() {
            if args.stats {
                failed |= matches!(record, smpp::pcap::read::Record::Problem(_));
                stats.add(&record);
                continue;
            }
            if closed {
                continue;
            }
            let item = CapturedItem::new(record, decode);
            failed |= item.is_error();
            let written = if args.json {
                writeln!(out, "{}", item.to_json(&opts))
            } else {
                if !first {
                    let _ = writeln!(out);
                }
                let mut text = item.to_text(&opts);
                if args.hexdump {
                    text.push_str(&dump::hex_dump(item.octets()));
                }
                write!(out, "{text}")
            };
            first = false;
            if written.is_err() {
                // A closed pipe (e.g. `| head`): stop quietly.
                closed = true;
            }
        }
        let summary = capture.summary();
        const SHOWN: usize = 20;
        for note in summary.notes.iter().take(SHOWN) {
            eprintln!("smpp-dump: {path}: {note}");
        }
        let more = summary.notes.len().saturating_sub(SHOWN) as u64 + summary.notes_dropped;
        if more > 0 {
            eprintln!("smpp-dump: {path}: {more} more notes");
        }
        if summary.stopped_early {
            failed = true;
        }
        if args.stats && !args.json {
            let conns = capture.connections();
            let _ = writeln!(
                out,
                "{path}: {} records, {} TCP segments ({} on SMPP connections), {} SMPP connection(s)",
                summary.records,
                summary.tcp_segments,
                summary.smpp_segments,
                conns.len()
            );
            for c in &conns {
                let _ = writeln!(
                    out,
                    "  conn {}: ESME {} ↔ SMSC {}, {} → {}, {} + {} PDUs, {:?}",
                    c.id,
                    c.esme,
                    c.smsc,
                    rfc3339(c.first_ts),
                    rfc3339(c.last_ts),
                    c.esme_to_smsc.pdus,
                    c.smsc_to_esme.pdus,
                    c.end
                );
            }
        }
    }
    if args.stats {
        let _ = if args.json {
            writeln!(out, "{}", stats.to_json())
        } else {
            writeln!(out, "\n{}", stats.to_table().trim_end())
        };
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
