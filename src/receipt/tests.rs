//! Tests of the receipt module: the field variations of the reference's section 8, each with a
//! receipt as published in the thread named beside it, the worked example 10.7, round trips and
//! errors.

use super::*;
use proptest::prelude::*;

type TestResult = Result<(), ReceiptError>;

fn parsed(text: &[u8]) -> ParsedReceipt {
    match DeliveryReceipt::parse_with_deviations(text) {
        Ok(parsed) => parsed,
        Err(error) => panic!("{:?} should parse: {error}", String::from_utf8_lossy(text)),
    }
}

fn time(text: &str) -> ReceiptTime {
    match ReceiptTime::parse(text.as_bytes()) {
        Some(time) => time,
        None => panic!("{text} is a receipt time"),
    }
}

/// Parses, checks the deviations are exactly `expected` (in any order), and that the fuzz body's
/// rebuild invariant holds.
fn check(text: &[u8], expected: &[ReceiptDeviation]) -> DeliveryReceipt {
    let parsed = parsed(text);
    for deviation in expected {
        assert!(
            parsed.deviations.contains(deviation),
            "{deviation:?} missing from {:?}",
            parsed.deviations
        );
    }
    assert_eq!(
        parsed.deviations.len(),
        expected.len(),
        "unexpected deviations in {:?}",
        parsed.deviations
    );
    fuzz_receipt(text);
    parsed.receipt
}

// ---------------------------------------------------------------------------------------------
// the canonical form

/// Reference 10.7: the deliver_sm carrying a receipt, with receipted_message_id and
/// message_state TLVs (177 octets).
const EXAMPLE_10_7: &[u8] = &[
    0x00, 0x00, 0x00, 0xB1, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x07, //
    0x00, 0x01, 0x01, 0x34, 0x34, 0x37, 0x39, 0x31, 0x31, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
    0x00, //
    0x01, 0x01, 0x31, 0x32, 0x33, 0x34, 0x35, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, //
    0x00, 0x6B, 0x69, 0x64, 0x3A, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30,
    0x20, //
    0x73, 0x75, 0x62, 0x3A, 0x30, 0x30, 0x31, 0x20, 0x64, 0x6C, 0x76, 0x72, 0x64, 0x3A, 0x30,
    0x30, //
    0x31, 0x20, 0x73, 0x75, 0x62, 0x6D, 0x69, 0x74, 0x20, 0x64, 0x61, 0x74, 0x65, 0x3A, 0x32,
    0x34, //
    0x30, 0x31, 0x30, 0x31, 0x31, 0x32, 0x30, 0x30, 0x20, 0x64, 0x6F, 0x6E, 0x65, 0x20, 0x64,
    0x61, //
    0x74, 0x65, 0x3A, 0x32, 0x34, 0x30, 0x31, 0x30, 0x31, 0x31, 0x32, 0x30, 0x31, 0x20, 0x73,
    0x74, //
    0x61, 0x74, 0x3A, 0x44, 0x45, 0x4C, 0x49, 0x56, 0x52, 0x44, 0x20, 0x65, 0x72, 0x72, 0x3A,
    0x30, //
    0x30, 0x30, 0x20, 0x74, 0x65, 0x78, 0x74, 0x3A, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00, 0x1E,
    0x00, //
    0x0B, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0x00, 0x04, 0x27, 0x00,
    0x01, //
    0x02,
];

const EXAMPLE_10_7_TEXT: &str = "id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello";

#[test]
fn worked_example_10_7_text_is_canonical() -> TestResult {
    let receipt = check(EXAMPLE_10_7_TEXT.as_bytes(), &[]);
    let expected = DeliveryReceipt::builder(
        "1234567890",
        ReceiptStat::Delivered,
        ReceiptTime::new(2024, 1, 1, 12, 0)?,
        ReceiptTime::new(2024, 1, 1, 12, 1)?,
    )
    .original_text(b"Hello")
    .build();
    assert_eq!(receipt, expected);
    assert_eq!(receipt.to_string(), EXAMPLE_10_7_TEXT);
    assert_eq!(receipt.to_bytes(), EXAMPLE_10_7_TEXT.as_bytes());
    Ok(())
}

#[test]
fn worked_example_10_7_pdu_text_and_tlvs_agree() -> TestResult {
    // sm_length at offset 49, short_message from offset 50; TLVs from 157 (reference 10.7 table).
    assert_eq!(EXAMPLE_10_7.len(), 0xB1);
    let sm_length = usize::from(EXAMPLE_10_7.get(49).copied().unwrap_or_default());
    assert_eq!(sm_length, 107);
    let short_message = EXAMPLE_10_7.get(50..50 + sm_length).unwrap_or_default();
    assert_eq!(short_message, EXAMPLE_10_7_TEXT.as_bytes());
    // 0x001E len 11 "1234567890\0", 0x0427 len 1 value 2
    assert_eq!(
        EXAMPLE_10_7.get(157..161),
        Some(&[0x00, 0x1E, 0x00, 0x0B][..])
    );
    let id_value = EXAMPLE_10_7.get(161..171).unwrap_or_default();
    assert_eq!(
        EXAMPLE_10_7.get(172..176),
        Some(&[0x04, 0x27, 0x00, 0x01][..])
    );
    let tlvs = ReceiptTlvs {
        receipted_message_id: Some(String::from_utf8_lossy(id_value).into_owned()),
        message_state: EXAMPLE_10_7.get(176).copied(),
        network_error_code: None,
    };
    let view = ReceiptView::combine(Some(DeliveryReceipt::parse(short_message)?), tlvs);
    assert_eq!(view.message_id.as_deref(), Some("1234567890"));
    assert_eq!(view.message_id_source, Some(ReceiptSource::Tlv));
    assert_eq!(view.stat, Some(ReceiptStat::Delivered));
    assert_eq!(view.message_state, Some(2));
    assert!(view.conflicts.is_empty());
    assert!(view.is_final());
    assert!(view.id_matches("499602D2"));
    Ok(())
}

#[test]
fn appendix_b_example_line_with_text_capitalised() {
    // Appendix B's own example line: "... stat:DDDDDDD err:E Text: . . . . . . . . ."
    let r = check(
        b"id:0123456789 sub:001 dlvrd:001 submit date:9912312359 done date:0001010000 stat:EXPIRED err:001 Text:. . . . . . . . .",
        &[ReceiptDeviation::KeyCase {
            field: ReceiptField::Text,
            written: "Text".into(),
        }],
    );
    assert_eq!(r.text.as_deref(), Some(&b". . . . . . . . ."[..]));
    assert_eq!(r.submit_date.map(|d| d.year()), Some(1999));
    assert_eq!(r.done_date.map(|d| d.year()), Some(2000));
    // Rebuilt with T B-1's lowercase key.
    assert!(r.to_string().ends_with(" text:. . . . . . . . ."));
}

// ---------------------------------------------------------------------------------------------
// section 8 variations, one receipt each

#[test]
fn php_smpp_70_long_decimal_id_four_digit_err_and_gsm_escape() {
    // onlinecity/php-smpp #70: short_message decoded from the PDU hex in the issue; the text holds
    // a GSM 03.38 escape (0x1B) and err has 4 digits.
    let text = b"id:117062714244798261 sub:001 dlvrd:001 submit date:1706271624 done date:1706271624 stat:DELIVRD err:0000 text:H\x1bello world";
    let r = check(
        text,
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Decimal,
                len: 18,
            },
            ReceiptDeviation::ErrWidth(4),
        ],
    );
    assert_eq!(r.id, "117062714244798261");
    assert_eq!(r.err.as_deref(), Some("0000"));
    assert_eq!(r.text.as_deref(), Some(&b"H\x1bello world"[..]));
    assert_eq!(r.to_bytes(), text);
    // Same PDU: TLVs 0423 0003 030000 (network_error_code GSM 0), no receipted_message_id nor
    // message_state, vendor TLVs 0x1454 and 0x1418.
    let code = NetworkErrorCode::from_bytes(&[0x03, 0x00, 0x00]);
    assert_eq!(code.network_type_name(), Some("GSM"));
    assert_eq!(code.error_code, 0);
    let tlvs = ReceiptTlvs {
        network_error_code: Some(code),
        ..ReceiptTlvs::default()
    };
    let view = ReceiptView::combine(Some(r), tlvs);
    assert_eq!(view.message_id_source, Some(ReceiptSource::Text));
    assert_eq!(view.stat_source, Some(ReceiptSource::Text));
    assert_eq!(view.message_state, Some(2));
    assert_eq!(view.network_error_code, Some(code));
    assert!(view.conflicts.is_empty());
}

#[test]
fn jasmin_70_clickatell_hex_id_seconds_and_empty_text() {
    // jookies/jasmin #70 (Clickatell): 32-char hex id, 12-digit dates, empty text.
    let r = check(
        b"id:a29f6845555647139e5c8f3b817f2c9a sub:001 dlvrd:001 submit date:141023215253 done date:141023215259 stat:DELIVRD err:000 text:",
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Hex,
                len: 32,
            },
            ReceiptDeviation::DateWithSeconds(ReceiptField::SubmitDate),
            ReceiptDeviation::DateWithSeconds(ReceiptField::DoneDate),
            ReceiptDeviation::EmptyValue(ReceiptField::Text),
        ],
    );
    let done = r.done_date.unwrap_or_else(|| time("0000000000"));
    assert_eq!((done.year(), done.month(), done.day()), (2014, 10, 23));
    assert_eq!(
        (done.hour(), done.minute(), done.second()),
        (21, 52, Some(59))
    );
    assert_eq!(r.text, Some(Vec::new()));
    assert!(r.id_matches("A29F6845555647139E5C8F3B817F2C9A"));
}

#[test]
fn jasmin_760_uuid_id_without_sub_dlvrd_and_text() {
    // jookies/jasmin #760 (comment of 2019-11-21): UUID id, no sub/dlvrd, no text, err:002.
    let r = check(
        b"id:fa9542be-3c16-44bb-9a8c-d277ea1851ef submit date:1911211739 done date:1911211741 stat:DELIVRD err:002",
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Uuid,
                len: 36,
            },
            ReceiptDeviation::MissingField(ReceiptField::Sub),
            ReceiptDeviation::MissingField(ReceiptField::Dlvrd),
            ReceiptDeviation::MissingField(ReceiptField::Text),
        ],
    );
    assert_eq!(r.id, "fa9542be-3c16-44bb-9a8c-d277ea1851ef");
    assert_eq!(r.text, None);
    assert!(r.id_matches("fa9542be-3c16-44bb-9a8c-d277ea1851ef"));
    assert!(!r.id_matches("fa9542be3c1644bb9a8cd277ea1851ef"));
}

#[test]
fn jsmpp_62_without_sub_and_dlvrd() {
    // opentelecoms-org/jsmpp #62: "they omit two fields ... (sub and dlvrd)".
    let r = check(
        b"id:1526758174 submit date:1701240904 done date:1701240904 stat:DELIVRD err:000 text:hellow",
        &[
            ReceiptDeviation::MissingField(ReceiptField::Sub),
            ReceiptDeviation::MissingField(ReceiptField::Dlvrd),
        ],
    );
    assert_eq!((r.sub, r.dlvrd), (None, None));
    assert_eq!(
        r.to_string(),
        "id:1526758174 submit date:1701240904 done date:1701240904 stat:DELIVRD err:000 text:hellow"
    );
}

#[test]
fn jsmpp_67_without_sub_dlvrd_and_text() {
    // uudashr/jsmpp #67: "message body :id:0654354026 submit date:2302101454 done date:2302101454 stat:DELIVRD err:000".
    let r = check(
        b"id:0654354026 submit date:2302101454 done date:2302101454 stat:DELIVRD err:000",
        &[
            ReceiptDeviation::MissingField(ReceiptField::Sub),
            ReceiptDeviation::MissingField(ReceiptField::Dlvrd),
            ReceiptDeviation::MissingField(ReceiptField::Text),
        ],
    );
    assert_eq!(r.id, "0654354026");
    assert!(r.id_matches("654354026"));
}

#[test]
fn jsmpp_178_zero_padded_decimal_id_against_hex_submit_id() {
    // opentelecoms-org/jsmpp #178: "decimal id in deliver receipt with leading zero like this
    // `id:0221067780 sub:001 dlvrd:001 [...]`"; 221067780 = 0xD2D3A04.
    let r = check(
        b"id:0221067780 sub:001 dlvrd:001 submit date:2210101200 done date:2210101201 stat:DELIVRD err:000 text:",
        &[ReceiptDeviation::EmptyValue(ReceiptField::Text)],
    );
    assert_eq!(r.id, "0221067780");
    assert!(r.id_matches("221067780"));
    assert!(r.id_matches("0D2D3A04"));
    assert!(r.id_matches("d2d3a04"));
    assert!(!r.id_matches("D2D3A05"));
}

#[test]
fn jsmpp_56_decimal_receipt_id_hex_submit_id() {
    // opentelecoms-org/jsmpp #56: "when the DLR with id 870928761 is received, it comes from a
    // message id 33E95179".
    assert!(ids_match("870928761", "33E95179"));
    assert!(ids_match("33e95179", "0870928761"));
    assert!(!ids_match("870928762", "33E95179"));
}

#[test]
fn jasmin_1129_and_408_padding_in_either_id() {
    // jookies/jasmin #1129: submit id "00B8BE19", receipt "B8BE19"; #408: "id=023" vs "id=23".
    assert!(ids_match("00B8BE19", "B8BE19"));
    assert!(ids_match("023", "23"));
    // #423: a 23-digit id with a leading zero (beyond u64, inside u128).
    assert!(ids_match(
        "04062581461565934000241",
        "4062581461565934000241"
    ));
}

#[test]
fn id_match_rule_edges() {
    assert!(!ids_match("", ""));
    assert!(!ids_match("", "0"));
    assert!(ids_match("0", "000"));
    // digits-only ids are read both ways: decimal 16 = hex 0x10
    assert!(ids_match("16", "10"));
    // beyond u128: only same-base comparisons
    let long_dec = "9".repeat(60);
    let long_hex = format!("0{}", "F".repeat(40));
    assert!(ids_match(&long_dec, &format!("000{long_dec}")));
    assert!(ids_match(&long_hex, &long_hex.to_lowercase()));
    assert!(!ids_match(&long_dec, &long_hex));
    // non-numeric ids compare as strings only
    assert!(!ids_match("abc-1", "ABC-1"));
    assert!(ids_match(
        "rdwjwxns18krxr9936ey96ymcw",
        "rdwjwxns18krxr9936ey96ymcw"
    ));
}

#[test]
fn nexmo_sixteen_digit_zero_padded_id_and_text_none() {
    // help.nexmo.com "How to read a Nexmo SMPP Delivery Receipt".
    let r = check(
        b"id:0000000012345678 sub:001 dlvrd:001 submit date:1601010100 done date:1601010101 stat:DELIVRD err:000 text:none",
        &[ReceiptDeviation::IdFormat {
            form: IdForm::Decimal,
            len: 16,
        }],
    );
    assert!(r.id_matches("12345678"));
    assert!(r.id_matches("BC614E"));
}

#[test]
fn somleng_and_node_smpp_199_padded_id_with_padded_tlv() {
    // farhadi/node-smpp #199: receipt text and receipted_message_id both "0000029095"
    // (somleng/sms-gateway PR #563 handles such padded ids).
    let r = check(
        b"id:0000029095 sub:001 dlvrd:001 submit date:211125034959 done date:211125035001 stat:DELIVRD err:000 text:",
        &[
            ReceiptDeviation::DateWithSeconds(ReceiptField::SubmitDate),
            ReceiptDeviation::DateWithSeconds(ReceiptField::DoneDate),
            ReceiptDeviation::EmptyValue(ReceiptField::Text),
        ],
    );
    assert!(r.id_matches("29095"));
    let view = ReceiptView::combine(
        Some(r),
        ReceiptTlvs {
            receipted_message_id: Some("0000029095".into()),
            ..ReceiptTlvs::default()
        },
    );
    assert!(view.conflicts.is_empty());
    assert_eq!(view.message_id_source, Some(ReceiptSource::Tlv));
}

#[test]
fn gosmpp_124_single_digit_counts_and_err_text_with_spaces() {
    // linxGnu/gosmpp #124: hex id, "sub:1 dlvrd:1", "err:0", text with a leading space.
    let r = check(
        b"id:123A456B sub:1 dlvrd:1 submit date:1702281424 done date:1702281424 stat:DELIVRD err:0 text: hello how are you there",
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Hex,
                len: 8,
            },
            ReceiptDeviation::CountWidth {
                field: ReceiptField::Sub,
                width: 1,
            },
            ReceiptDeviation::CountWidth {
                field: ReceiptField::Dlvrd,
                width: 1,
            },
            ReceiptDeviation::ErrWidth(1),
            ReceiptDeviation::TextTooLong(24),
        ],
    );
    assert_eq!(r.sub.map(ReceiptCount::value), Some(1));
    assert_eq!(r.text.as_deref(), Some(&b" hello how are you there"[..]));
    // widths survive the rebuild
    assert!(r.to_string().contains(" sub:1 dlvrd:1 "));
}

#[test]
fn node_smpp_77_capital_text_and_dlvrd_above_sub() {
    // farhadi/node-smpp #77: "id:45013692 sub:0 dlvrd:28 ... err:21 Text:*100#".
    let r = check(
        b"id:45013692 sub:0 dlvrd:28 submit date:1908121157 done date:1908121158 stat:UNDELIV err:21 Text:*100#",
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Decimal,
                len: 8,
            },
            ReceiptDeviation::CountWidth {
                field: ReceiptField::Sub,
                width: 1,
            },
            ReceiptDeviation::CountWidth {
                field: ReceiptField::Dlvrd,
                width: 2,
            },
            ReceiptDeviation::DeliveredExceedsSubmitted,
            ReceiptDeviation::ErrWidth(2),
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Text,
                written: "Text".into(),
            },
        ],
    );
    assert_eq!(r.stat, ReceiptStat::Undeliverable);
    assert_eq!(r.text.as_deref(), Some(&b"*100#"[..]));
}

#[test]
fn cloudhopper_40_non_numeric_err() {
    // twitter-archive/cloudhopper-smpp #40/#42: err is a string ("000 => 0, 21b => noop").
    let r = check(
        b"id:0911897980 sub:001 dlvrd:000 submit date:1201121551 done date:1201121551 stat:UNDELIV err:21b text:-PROFILE",
        &[],
    );
    assert_eq!(r.err.as_deref(), Some("21b"));
    assert_eq!(r.stat.message_state(), Some(5));
}

#[test]
fn smppex_46_smpp_absolute_time_dates() {
    // funbox/smppex #46: base-36 id and dates in the 16-character §7.1.1 form.
    let text = b"id:rdwjwxns18krxr9936ey96ymcw sub:000 dlvrd:000 submit date:180711070003912+ done date:180711070000012+ stat:UNDELIV err:000";
    let r = check(
        text,
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Other,
                len: 26,
            },
            ReceiptDeviation::DateSmppTimeFormat(ReceiptField::SubmitDate),
            ReceiptDeviation::DateSmppTimeFormat(ReceiptField::DoneDate),
            ReceiptDeviation::MissingField(ReceiptField::Text),
        ],
    );
    let submit = r.submit_date.unwrap_or_else(|| time("0000000000"));
    assert_eq!(submit.year(), 2018);
    assert_eq!(submit.second(), Some(3));
    assert_eq!(submit.tenths(), Some(9));
    assert_eq!(submit.utc_offset_quarter_hours(), Some(12));
    assert_eq!(r.to_bytes(), text);
}

#[test]
fn stackoverflow_receipt_without_text() {
    // stackoverflow.com/questions/8754853 "SMPP delivery report": sample receipt text.
    let r = check(
        b"id:40072910491427628 sub:001 dlvrd:001 submit date:1007291049 done date:1007291049 stat:DELIVRD err:000",
        &[
            ReceiptDeviation::IdFormat {
                form: IdForm::Decimal,
                len: 17,
            },
            ReceiptDeviation::MissingField(ReceiptField::Text),
        ],
    );
    assert_eq!(r.text, None);
    assert!(!r.to_string().contains("text:"));
}

#[test]
fn spec_line_break_inside_done_date() {
    // Appendix B's example wraps "done\ndate:"; copies of it (jsmpp #62, cardboardfish) keep it.
    let r = check(
        b"id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done\ndate:2401011201 stat:DELIVRD err:000 text:x",
        &[ReceiptDeviation::IrregularSpacing],
    );
    assert_eq!(r.done_date, Some(time("2401011201")));
}

#[test]
fn php_smpp_29_space_after_colon_and_extra_spaces() {
    // onlinecity/php-smpp #29: "is it possible that correct receipt has "err: 0"?"
    let r = check(
        b"  id:1234567890  sub:001 dlvrd:001\tsubmit date:2401011200 done date:2401011201 stat: DELIVRD err: 0 text:x ",
        &[ReceiptDeviation::IrregularSpacing, ReceiptDeviation::ErrWidth(1)],
    );
    assert_eq!(r.err.as_deref(), Some("0"));
    assert_eq!(r.stat, ReceiptStat::Delivered);
    assert_eq!(r.text.as_deref(), Some(&b"x "[..]));
}

#[test]
fn fiorix_73_nul_prefix_and_cut_err() {
    // fiorix/go-smpp #73: the receipt went out "prefixed with zero byte, so the last byte is cut
    // (thats digit 2 from "err:002" ...)".
    let r = check(
        b"\0id:1234 sub:001 dlvrd:001 submit date:180625012100 done date:180625012101 stat:DELIVRD err:00",
        &[
            ReceiptDeviation::IrregularSpacing,
            ReceiptDeviation::NulOctet,
            ReceiptDeviation::IdFormat {
                form: IdForm::Decimal,
                len: 4,
            },
            ReceiptDeviation::DateWithSeconds(ReceiptField::SubmitDate),
            ReceiptDeviation::DateWithSeconds(ReceiptField::DoneDate),
            ReceiptDeviation::ErrWidth(2),
            ReceiptDeviation::MissingField(ReceiptField::Text),
        ],
    );
    assert_eq!(r.id, "1234");
}

#[test]
fn node_smpp_140_empty_done_date() {
    // farhadi/node-smpp #140 builds "... submit date:'+time+' done date: stat:ACCEPTD err:000".
    let r = check(
        b"id:1234567890 sub:001 dlvrd:0 submit date:2007281200 done date: stat:ACCEPTD err:000 text:",
        &[
            ReceiptDeviation::CountWidth {
                field: ReceiptField::Dlvrd,
                width: 1,
            },
            ReceiptDeviation::EmptyValue(ReceiptField::DoneDate),
            ReceiptDeviation::EmptyValue(ReceiptField::Text),
        ],
    );
    assert_eq!(r.done_date, None);
    assert_eq!(r.stat, ReceiptStat::Accepted);
}

#[test]
fn node_smpp_140_text_first_is_not_a_receipt() {
    // The same thread's message starts "message text:'+msgid+' sub:001 ...": `text:` runs to the
    // end, so there is no id.
    assert_eq!(
        DeliveryReceipt::parse(
            b"message text:1234 sub:001 dlvrd:0 submit date:2007281200 done date: stat:ACCEPTD err:000"
        ),
        Err(ReceiptError::MissingField(ReceiptField::Id))
    );
}

#[test]
fn keys_in_any_case() {
    let r = check(
        b"ID:1234567890 Sub:001 DLVRD:001 Submit Date:2401011200 DONE DATE:2401011201 Stat:DELIVRD ERR:000 Text:Hi",
        &[
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Id,
                written: "ID".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Sub,
                written: "Sub".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Dlvrd,
                written: "DLVRD".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::SubmitDate,
                written: "Submit Date".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::DoneDate,
                written: "DONE DATE".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Stat,
                written: "Stat".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Err,
                written: "ERR".into(),
            },
            ReceiptDeviation::KeyCase {
                field: ReceiptField::Text,
                written: "Text".into(),
            },
        ],
    );
    assert_eq!(
        r.to_string(),
        "id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hi"
    );
}

#[test]
fn keys_in_another_order_and_unknown_keys_kept_in_order() {
    let text = b"stat:REJECTD foo:1 id:1234567890 err:099 X-Vendor:a:b submit date:2401011200 done date:2401011201 text:Reject: spam";
    let r = check(
        text,
        &[
            ReceiptDeviation::UnknownKey("foo".into()),
            ReceiptDeviation::UnknownKey("X-Vendor".into()),
            ReceiptDeviation::FieldOrder,
            ReceiptDeviation::MissingField(ReceiptField::Sub),
            ReceiptDeviation::MissingField(ReceiptField::Dlvrd),
        ],
    );
    assert_eq!(r.stat, ReceiptStat::Rejected);
    assert_eq!(
        r.extra,
        vec![
            ExtraField {
                key: "foo".into(),
                value: b"1".to_vec()
            },
            ExtraField {
                key: "X-Vendor".into(),
                value: b"a:b".to_vec()
            },
        ]
    );
    assert_eq!(r.text.as_deref(), Some(&b"Reject: spam"[..]));
    assert_eq!(
        r.to_string(),
        "id:1234567890 submit date:2401011200 done date:2401011201 stat:REJECTD err:099 foo:1 X-Vendor:a:b text:Reject: spam"
    );
}

#[test]
fn text_runs_to_the_end_with_keys_colons_and_octets() {
    let r = check(
        b"id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:at 10:30 id:9 stat:X\r\n\0",
        &[ReceiptDeviation::TextTooLong(23)],
    );
    assert_eq!(r.id, "1234567890");
    assert_eq!(r.text.as_deref(), Some(&b"at 10:30 id:9 stat:X\r\n\0"[..]));
}

#[test]
fn duplicate_fields_first_non_empty_wins_and_rest_is_kept() {
    let r = check(
        b"id: id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD stat:UNDELIV err:000 text:x",
        &[
            ReceiptDeviation::EmptyValue(ReceiptField::Id),
            ReceiptDeviation::DuplicateField(ReceiptField::Stat),
        ],
    );
    assert_eq!(r.id, "1234567890");
    assert_eq!(r.stat, ReceiptStat::Delivered);
    assert_eq!(
        r.extra,
        vec![ExtraField {
            key: "stat".into(),
            value: b"UNDELIV".to_vec()
        }]
    );
}

#[test]
fn empty_id_is_kept_for_tlv_only_ids() {
    // MavoCz/smscsim #4: an SMSC "could even set DeliveryReceipt#messageId empty, and only return
    // it as OptionalParameter".
    let r = check(
        b"id: sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:x",
        &[ReceiptDeviation::EmptyValue(ReceiptField::Id)],
    );
    assert_eq!(r.id, "");
    assert!(!r.id_matches(""));
    let view = ReceiptView::combine(
        Some(r),
        ReceiptTlvs {
            receipted_message_id: Some("77".into()),
            message_state: Some(2),
            network_error_code: None,
        },
    );
    assert_eq!(view.message_id.as_deref(), Some("77"));
    assert!(view.conflicts.is_empty());
    assert!(view.id_matches("4D"));
}

#[test]
fn stray_words_and_non_canonical_stat() {
    let r = check(
        b"DLR id:1234567890 extra words sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:delivered err:000 text:x",
        &[
            ReceiptDeviation::StrayText(b"DLR".to_vec()),
            ReceiptDeviation::StrayText(b"extra words".to_vec()),
            ReceiptDeviation::NonCanonicalStat("delivered".into()),
        ],
    );
    assert_eq!(r.stat, ReceiptStat::Other("delivered".into()));
    assert!(!r.is_final());
    assert_eq!(r.stat.message_state(), None);
}

#[test]
fn lowercase_and_enroute_stats() {
    let r = check(
        b"id:1234567890 sub:001 dlvrd:000 submit date:2401011200 done date:2401011201 stat:delivrd err:000 text:x",
        &[ReceiptDeviation::NonCanonicalStat("delivrd".into())],
    );
    assert_eq!(r.stat, ReceiptStat::Delivered);
    let r = check(
        b"id:1234567890 sub:001 dlvrd:000 submit date:2401011200 done date:2401011201 stat:ENROUTE err:000 text:x",
        &[ReceiptDeviation::NonCanonicalStat("ENROUTE".into())],
    );
    assert_eq!(r.stat, ReceiptStat::Enroute);
    assert!(!r.is_final());
}

#[test]
fn out_of_range_and_non_utf8_values_are_reported() {
    let r = check(
        b"id:12345\xff7890 sub:001 dlvrd:001 submit date:0000000000 done date:2413011261 stat:DELIVRD err:\xfe\xfe\xfe text:x",
        &[
            ReceiptDeviation::NonUtf8(ReceiptField::Id),
            ReceiptDeviation::IdFormat {
                form: IdForm::Other,
                len: 12,
            },
            ReceiptDeviation::DateOutOfRange(ReceiptField::SubmitDate),
            ReceiptDeviation::DateOutOfRange(ReceiptField::DoneDate),
            ReceiptDeviation::NonUtf8(ReceiptField::Err),
        ],
    );
    assert_eq!(r.id, "12345\u{FFFD}7890");
    assert_eq!(r.err.as_deref(), Some("\u{FFFD}\u{FFFD}\u{FFFD}"));
}

// ---------------------------------------------------------------------------------------------
// errors

#[test]
fn not_a_receipt() {
    for text in [
        &b""[..],
        b"Hello, how are you?",
        b"stat:DELIVRD err:000 text:no id here",
        b"idx:1234 stat:DELIVRD",
        b"text:id:1234 stat:DELIVRD",
    ] {
        assert_eq!(
            DeliveryReceipt::parse(text),
            Err(ReceiptError::MissingField(ReceiptField::Id)),
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
    for text in [
        &b"id:1234567890 sub:001 dlvrd:001 err:000 text:x"[..],
        b"id:1234567890 stat: err:000",
        b"id:1234567890 text:stat:DELIVRD",
    ] {
        assert_eq!(
            DeliveryReceipt::parse(text),
            Err(ReceiptError::MissingField(ReceiptField::Stat)),
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn dates_that_are_not_digits_are_errors() {
    let cases: [(&[u8], ReceiptField, &str); 5] = [
        (
            b"id:1 submit date:2024-01-01 stat:DELIVRD",
            ReceiptField::SubmitDate,
            "2024-01-01",
        ),
        (
            b"id:1 done date:24010112 stat:DELIVRD",
            ReceiptField::DoneDate,
            "24010112",
        ),
        (
            b"id:1 done date:24010112000 stat:DELIVRD",
            ReceiptField::DoneDate,
            "24010112000",
        ),
        (
            b"id:1 done date:240101120000000R stat:DELIVRD",
            ReceiptField::DoneDate,
            "240101120000000R",
        ),
        (
            b"id:1 submit date:24O1011200 stat:DELIVRD",
            ReceiptField::SubmitDate,
            "24O1011200",
        ),
    ];
    for (text, field, value) in cases {
        assert_eq!(
            DeliveryReceipt::parse(text),
            Err(ReceiptError::InvalidDate {
                field,
                value: value.into()
            })
        );
    }
}

#[test]
fn counts_that_are_not_decimal_are_errors() {
    assert_eq!(
        DeliveryReceipt::parse(b"id:1 sub:1a dlvrd:001 stat:DELIVRD"),
        Err(ReceiptError::InvalidCount {
            field: ReceiptField::Sub,
            value: "1a".into()
        })
    );
    assert_eq!(
        DeliveryReceipt::parse(b"id:1 sub:001 dlvrd:4294967296 stat:DELIVRD"),
        Err(ReceiptError::InvalidCount {
            field: ReceiptField::Dlvrd,
            value: "4294967296".into()
        })
    );
    // a long zero padding is a width, not an overflow
    let r = check(
        b"id:1234567890 sub:0000000000000000000000001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:x",
        &[ReceiptDeviation::CountWidth {
            field: ReceiptField::Sub,
            width: 25,
        }],
    );
    assert_eq!(r.sub.map(ReceiptCount::value), Some(1));
}

#[test]
fn error_messages_name_the_field() {
    assert_eq!(
        ReceiptError::MissingField(ReceiptField::Stat).to_string(),
        "not a delivery receipt: no `stat:` value"
    );
    let error = DeliveryReceipt::parse(b"id:1 done date:x stat:DELIVRD").err();
    assert_eq!(
        error.map(|e| e.to_string()).as_deref(),
        Some("`done date:` is not a YYMMDDhhmm[ss] date: \"x\"")
    );
}

// ---------------------------------------------------------------------------------------------
// values

#[test]
fn y2k_rule_of_appendix_c() {
    assert_eq!(time("3801010000").year(), 1938);
    assert_eq!(time("9912312359").year(), 1999);
    assert_eq!(time("0001010000").year(), 2000);
    assert_eq!(time("3712312359").year(), 2037);
    assert_eq!(time("3712312359").year_with_pivot(30), 1937);
    assert_eq!(time("3712312359").yy(), 37);
}

#[test]
fn receipt_time_constructors_check_ranges() -> TestResult {
    assert_eq!(
        ReceiptTime::new(2037, 12, 31, 23, 59)?.to_string(),
        "3712312359"
    );
    assert_eq!(
        ReceiptTime::new(1938, 1, 1, 0, 0)?.to_string(),
        "3801010000"
    );
    assert!(ReceiptTime::new(2038, 1, 1, 0, 0).is_err());
    assert!(ReceiptTime::new(1937, 1, 1, 0, 0).is_err());
    assert!(ReceiptTime::new(2024, 0, 1, 0, 0).is_err());
    assert!(ReceiptTime::new(2024, 1, 32, 0, 0).is_err());
    assert!(ReceiptTime::new(2024, 1, 1, 24, 0).is_err());
    assert!(ReceiptTime::new(2024, 1, 1, 0, 60).is_err());
    let t = ReceiptTime::new(2024, 3, 15, 14, 30)?;
    assert!(t.with_seconds(60).is_err());
    assert_eq!(t.with_smpp_suffix(0, 4)?.to_string(), "240315143000004+");
    assert_eq!(
        t.with_seconds(5)?.with_smpp_suffix(9, -48)?.to_string(),
        "240315143005948-"
    );
    assert!(t.with_smpp_suffix(10, 0).is_err());
    assert!(t.with_smpp_suffix(0, 49).is_err());
    assert_eq!(
        t.with_smpp_suffix(0, -1)?.utc_offset_quarter_hours(),
        Some(-1)
    );
    Ok(())
}

#[test]
fn receipt_time_parse_forms() {
    assert_eq!(
        ReceiptTime::parse(b"2401011200").map(|t| t.second()),
        Some(None)
    );
    assert_eq!(
        ReceiptTime::parse(b"240101120059").map(|t| t.second()),
        Some(Some(59))
    );
    assert!(ReceiptTime::parse(b"240101120059000-").is_some());
    assert!(ReceiptTime::parse(b"").is_none());
    assert!(ReceiptTime::parse(b"24010112005").is_none());
    assert!(ReceiptTime::parse(b"+401011200").is_none());
    assert!(ReceiptTime::parse("２401011200".as_bytes()).is_none());
    // "-00" keeps its sign when written back
    assert_eq!(time("240101120000000-").to_string(), "240101120000000-");
}

#[test]
fn stat_and_message_state_conversions() {
    let table = [
        (1, ReceiptStat::Enroute, "ENROUTE", false),
        (2, ReceiptStat::Delivered, "DELIVRD", true),
        (3, ReceiptStat::Expired, "EXPIRED", true),
        (4, ReceiptStat::Deleted, "DELETED", true),
        (5, ReceiptStat::Undeliverable, "UNDELIV", true),
        (6, ReceiptStat::Accepted, "ACCEPTD", true),
        (7, ReceiptStat::Unknown, "UNKNOWN", true),
        (8, ReceiptStat::Rejected, "REJECTD", true),
    ];
    for (state, stat, text, is_final) in table {
        assert_eq!(ReceiptStat::from_message_state(state), Some(stat.clone()));
        assert_eq!(stat.message_state(), Some(state));
        assert_eq!(stat.as_str(), text);
        assert_eq!(ReceiptStat::from_text(text), stat);
        assert_eq!(ReceiptStat::from_text(&text.to_lowercase()), stat);
        assert_eq!(stat.is_final(), is_final);
    }
    // 0 SCHEDULED and 9 SKIPPED are SMPP 5.0 only
    for state in [0, 9, 10, 255] {
        assert_eq!(ReceiptStat::from_message_state(state), None);
    }
    assert_eq!(
        ReceiptStat::from_text("DELIVERED"),
        ReceiptStat::Other("DELIVERED".into())
    );
}

#[test]
fn network_error_code_bytes() {
    for (bytes, name) in [
        ([1, 0x12, 0x34], Some("ANSI-136")),
        ([2, 0, 1], Some("IS-95")),
        ([3, 0xFF, 0xFF], Some("GSM")),
        ([4, 0, 0], None),
    ] {
        let code = NetworkErrorCode::from_bytes(&bytes);
        assert_eq!(code.to_bytes(), bytes);
        assert_eq!(code.network_type_name(), name);
        assert_eq!(NetworkErrorCode::from_slice(&bytes), Some(code));
    }
    assert_eq!(
        NetworkErrorCode::from_bytes(&[1, 0x12, 0x34]).error_code,
        0x1234
    );
    assert_eq!(NetworkErrorCode::from_slice(&[3, 0]), None);
    assert_eq!(NetworkErrorCode::from_slice(&[3, 0, 0, 0]), None);
    assert_eq!(
        NetworkErrorCode::from_bytes(&[3, 0, 34]).to_string(),
        "GSM error 34"
    );
}

// ---------------------------------------------------------------------------------------------
// building

#[test]
fn builder_defaults_and_counts() -> TestResult {
    let at = ReceiptTime::new(2024, 1, 1, 12, 0)?;
    let undelivered = DeliveryReceipt::builder("1", ReceiptStat::Undeliverable, at, at)
        .err("005")
        .build();
    assert_eq!(
        undelivered.to_string(),
        "id:1 sub:001 dlvrd:000 submit date:2401011200 done date:2401011200 stat:UNDELIV err:005 text:"
    );
    let multi = DeliveryReceipt::builder("1", ReceiptStat::Delivered, at, at)
        .counts(3, 2)
        .build();
    assert_eq!(multi.sub, Some(ReceiptCount::new(3)));
    assert_eq!(multi.dlvrd.map(|d| d.to_string()).as_deref(), Some("002"));
    Ok(())
}

#[test]
fn builder_keeps_twenty_octets_without_cutting_an_escape() -> TestResult {
    let at = ReceiptTime::new(2024, 1, 1, 12, 0)?;
    let build = |original: &[u8]| {
        DeliveryReceipt::builder("1", ReceiptStat::Delivered, at, at)
            .original_text(original)
            .build()
            .text
            .unwrap_or_default()
    };
    assert_eq!(build(b"Hello"), b"Hello");
    assert_eq!(build(b"0123456789abcdefghijKLMN"), b"0123456789abcdefghij");
    // octet 20 is an escape whose second octet is octet 21: drop it
    assert_eq!(
        build(b"0123456789abcdefghi\x1b\x65xyz"),
        b"0123456789abcdefghi"
    );
    // an escape pair that fits is kept
    assert_eq!(
        build(b"0123456789abcdefgh\x1b\x65xyz"),
        b"0123456789abcdefgh\x1b\x65"
    );
    // exactly 20 octets ending in 0x1B: nothing was cut
    assert_eq!(
        build(b"0123456789abcdefghi\x1b"),
        b"0123456789abcdefghi\x1b"
    );
    Ok(())
}

#[test]
fn canonical_build_has_no_deviations() -> TestResult {
    let at = ReceiptTime::new(2024, 1, 1, 12, 0)?;
    let r = DeliveryReceipt::builder("0000000001", ReceiptStat::Expired, at, at)
        .original_text(b"Hi there")
        .build();
    let parsed = parsed(&r.to_bytes());
    assert!(parsed.is_canonical(), "{:?}", parsed.deviations);
    assert_eq!(parsed.receipt, r);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// TLVs and text combined

#[test]
fn combine_reports_disagreements() -> TestResult {
    let text = DeliveryReceipt::parse(b"id:1234567890 sub:001 dlvrd:001 stat:DELIVRD err:000")?;
    let view = ReceiptView::combine(
        Some(text.clone()),
        ReceiptTlvs {
            receipted_message_id: Some("1234567891".into()),
            message_state: Some(8),
            network_error_code: Some(NetworkErrorCode::from_bytes(&[3, 0, 11])),
        },
    );
    assert_eq!(view.message_id.as_deref(), Some("1234567891"));
    assert_eq!(view.stat, Some(ReceiptStat::Rejected));
    assert_eq!(view.message_state, Some(8));
    assert_eq!(
        view.conflicts,
        vec![
            ReceiptConflict::MessageId {
                text: "1234567890".into(),
                tlv: "1234567891".into(),
                equivalent: false,
            },
            ReceiptConflict::State {
                text: ReceiptStat::Delivered,
                tlv: 8,
            },
        ]
    );
    assert_eq!(
        view.conflicts.first().map(ToString::to_string).as_deref(),
        Some("text id \"1234567890\" differs from receipted_message_id \"1234567891\"")
    );
    assert_eq!(view.text, Some(text));
    Ok(())
}

#[test]
fn combine_with_one_side_only_or_unmapped_state() -> TestResult {
    // TLV-only receipt (fiorix/go-smpp #73 sends receipted_message_id "1234" and message_state 2).
    let view = ReceiptView::combine(
        None,
        ReceiptTlvs {
            receipted_message_id: Some("1234".into()),
            message_state: Some(2),
            network_error_code: None,
        },
    );
    assert_eq!(view.message_id.as_deref(), Some("1234"));
    assert_eq!(view.stat, Some(ReceiptStat::Delivered));
    assert!(view.conflicts.is_empty());
    assert!(view.is_final());

    // Nothing at all.
    let view = ReceiptView::combine(None, ReceiptTlvs::default());
    assert_eq!(view.message_id, None);
    assert_eq!(view.stat, None);
    assert!(!view.is_final());
    assert!(!view.id_matches("1"));

    // message_state 9 (SMPP 5.0 SKIPPED) has no stat: the text's stat is used, the raw state kept.
    let text = DeliveryReceipt::parse(b"id:1 stat:UNDELIV")?;
    let view = ReceiptView::combine(
        Some(text),
        ReceiptTlvs {
            receipted_message_id: Some(String::new()),
            message_state: Some(9),
            network_error_code: None,
        },
    );
    assert_eq!(view.message_id_source, Some(ReceiptSource::Text));
    assert_eq!(view.stat, Some(ReceiptStat::Undeliverable));
    assert_eq!(view.stat_source, Some(ReceiptSource::Text));
    assert_eq!(view.message_state, Some(9));
    assert_eq!(
        view.conflicts,
        vec![ReceiptConflict::State {
            text: ReceiptStat::Undeliverable,
            tlv: 9
        }]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// fuzz body and properties

#[test]
fn fuzz_body_on_odd_inputs() {
    for input in [
        &b""[..],
        b"id:",
        b"id:stat:",
        b"id: stat:x",
        b"id:1 stat:x date:1",
        b"id:1 foo:x submit stat:X date:1",
        b"id:a submit sub: date:1 stat:X",
        b"submit date: submit date:2401011200 id:1 stat:X",
        b"id:1 stat:X submit\0date:2401011200 submit date:2401011201",
        b"ID:1 id:2 Stat:x stat:y TEXT:z",
        b"id:\xff\xfe stat:\x80 err:\xc3",
        b"id:1 stat:a\x00b text:\x00",
        b"id:1\tstat:DELIVRD\r\ntext:",
        b"done date:2401011200 done  date:2401011201 id:x stat:y",
        b":::: id:1 ::: stat:2 :",
    ] {
        fuzz_receipt(input);
    }
}

#[test]
fn deviation_messages_read_as_text() {
    let parsed = parsed(b"ID:12 sub:1 stat:x err:0000 foo:1 text:a");
    let messages: Vec<String> = parsed.deviations.iter().map(ToString::to_string).collect();
    assert!(messages.contains(&"key `ID:` instead of `id:`".to_owned()));
    assert!(messages.contains(&"unknown key `foo:`".to_owned()));
    assert!(messages.contains(&"err has 4 characters, not 3".to_owned()));
}

fn receipt_time_any() -> impl Strategy<Value = ReceiptTime> {
    (1938u16..=2037, 1u8..=12, 1u8..=31, 0u8..=23, 0u8..=59)
        .prop_map(|(y, mo, d, h, mi)| ReceiptTime::new(y, mo, d, h, mi))
        .prop_filter_map("valid", |t| t.ok())
        .prop_flat_map(|t| {
            prop_oneof![
                Just(Some(t)),
                (0u8..=59).prop_map(move |s| t.with_seconds(s).ok()),
                (0u8..=59, 0u8..=9, -48i8..=48).prop_map(move |(s, tenths, q)| t
                    .with_seconds(s)
                    .and_then(|t| t.with_smpp_suffix(tenths, q))
                    .ok()),
            ]
        })
        .prop_filter_map("valid", |t| t)
}

fn stat_any() -> impl Strategy<Value = ReceiptStat> {
    prop_oneof![
        (1u8..=8).prop_filter_map("named", ReceiptStat::from_message_state),
        "[A-Za-z0-9_]{1,10}".prop_map(|s| ReceiptStat::from_text(&s)),
    ]
}

fn value_any() -> impl Strategy<Value = String> {
    // anything without separators
    "[!-~\u{a0}-\u{ff}]{0,12}"
}

fn extra_any() -> impl Strategy<Value = ExtraField> {
    ("[A-Za-z][A-Za-z0-9_-]{0,8}", value_any())
        .prop_filter("not a known key", |(key, _)| {
            !ReceiptField::ALL
                .iter()
                .any(|f| f.key().eq_ignore_ascii_case(key))
        })
        .prop_map(|(key, value)| ExtraField {
            key,
            value: value.into_bytes(),
        })
}

fn count_any() -> impl Strategy<Value = ReceiptCount> {
    (0u32..100_000, 0usize..8).prop_map(|(v, extra_zeros)| {
        let digits = v.to_string().len();
        ReceiptCount::with_width(v, digits + extra_zeros)
    })
}

prop_compose! {
    fn receipt_any()(
        id in prop_oneof!["[0-9]{10}", "[0-9a-fA-F]{1,32}", "[!-~]{1,20}"],
        sub in proptest::option::of(count_any()),
        dlvrd in proptest::option::of(count_any()),
        submit_date in proptest::option::of(receipt_time_any()),
        done_date in proptest::option::of(receipt_time_any()),
        stat in stat_any(),
        err in proptest::option::of(value_any()),
        extra in proptest::collection::vec(extra_any(), 0..4),
        text in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
    ) -> DeliveryReceipt {
        DeliveryReceipt { id, sub, dlvrd, submit_date, done_date, stat, err, text, extra }
    }
}

prop_compose! {
    fn canonical_any()(
        id in "[0-9]{10}",
        sub in 0u32..1000,
        dlvrd in 0u32..1000,
        submit_date in receipt_time_any().prop_map(|t| time(&t.to_string()[..10])),
        done_date in receipt_time_any().prop_map(|t| time(&t.to_string()[..10])),
        stat in (2u8..=8).prop_filter_map("named", ReceiptStat::from_message_state),
        err in "[0-9A-Z]{3}",
        text in proptest::collection::vec(1u8..=255, 1..=20),
    ) -> DeliveryReceipt {
        DeliveryReceipt::builder(id, stat, submit_date, done_date)
            .counts(sub, dlvrd.min(sub))
            .err(err)
            .original_text(&text)
            .build()
    }
}

/// Inputs that look like receipts: known keys in mixed case, separators and random values, with
/// an `id:` and a `stat:` token shuffled in so that most of them parse.
fn receipt_like() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![
        Just(b"id:".to_vec()),
        Just(b"ID:".to_vec()),
        Just(b"sub:".to_vec()),
        Just(b"dlvrd:".to_vec()),
        Just(b"submit date:".to_vec()),
        Just(b"Done\nDate:".to_vec()),
        Just(b"done\0 date:".to_vec()),
        Just(b"stat:".to_vec()),
        Just(b"err:".to_vec()),
        Just(b"text:".to_vec()),
        Just(b"submit".to_vec()),
        Just(b"date:".to_vec()),
        "[a-z]{1,4}:".prop_map(String::into_bytes),
    ];
    let value = prop_oneof![
        "[0-9]{10}".prop_map(String::into_bytes),
        "[0-9]{12}".prop_map(String::into_bytes),
        "[0-9]{15}[+-]".prop_map(String::into_bytes),
        "[0-9]{0,4}".prop_map(String::into_bytes),
        "(DELIVRD|UNDELIV|enroute|x|submit|done)".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    let sep = prop_oneof![
        3 => Just(b" ".to_vec()),
        1 => Just(b"".to_vec()),
        1 => Just(b"  ".to_vec()),
        1 => Just(b"\0".to_vec()),
        1 => Just(b"\t".to_vec()),
    ];
    let token = (key, value.clone(), sep);
    let id = value
        .clone()
        .prop_map(|v| (b"id:".to_vec(), v, b" ".to_vec()));
    let stat = value.prop_map(|v| (b"stat:".to_vec(), v, b" ".to_vec()));
    (proptest::collection::vec(token, 0..10), id, stat)
        .prop_flat_map(|(mut tokens, id, stat)| {
            tokens.push(id);
            tokens.push(stat);
            Just(tokens).prop_shuffle()
        })
        .prop_map(|tokens| {
            tokens
                .into_iter()
                .flat_map(|(k, v, s)| k.into_iter().chain(v).chain(s))
                .collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = DeliveryReceipt::parse_with_deviations(&bytes);
        fuzz_receipt(&bytes);
    }

    #[test]
    fn receipt_like_inputs_keep_the_fuzz_invariant(bytes in receipt_like()) {
        fuzz_receipt(&bytes);
    }

    #[test]
    fn build_then_parse_is_identity(receipt in receipt_any()) {
        let bytes = receipt.to_bytes();
        prop_assert_eq!(DeliveryReceipt::parse(&bytes), Ok(receipt));
    }

    #[test]
    fn canonical_receipts_parse_without_deviations(receipt in canonical_any()) {
        let parsed = DeliveryReceipt::parse_with_deviations(&receipt.to_bytes());
        prop_assert_eq!(parsed.as_ref().map(ParsedReceipt::is_canonical), Ok(true), "{:?}", parsed);
        prop_assert_eq!(parsed.map(|p| p.receipt), Ok(receipt));
    }

    #[test]
    fn ids_match_across_bases_and_padding(n in any::<u64>(), pad in 0usize..6) {
        let dec = format!("{}{n}", "0".repeat(pad));
        let hex = format!("{}{n:X}", "0".repeat(pad));
        prop_assert!(ids_match(&dec, &hex));
        prop_assert!(ids_match(&hex.to_lowercase(), &n.to_string()));
        prop_assert!(ids_match(&dec, &n.to_string()));
        prop_assert!(!ids_match(&dec, &(u128::from(n) + 1).to_string()));
    }

    #[test]
    fn network_error_code_round_trip(bytes in any::<[u8; 3]>()) {
        prop_assert_eq!(NetworkErrorCode::from_bytes(&bytes).to_bytes(), bytes);
    }
}
