//! SMPP time fields (§7.1.1) to and from `SystemTime`, for the simulator's schedule, validity and
//! final_date handling.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::pdu::SmppTime;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// When an SMPP time falls, relative to `now` for a relative time (`…R`); `None` for NULL or a
/// malformed value. Relative years count 365 days and months 30 days.
pub(crate) fn resolve(t: &SmppTime, now: SystemTime) -> Option<SystemTime> {
    let b = t.as_bytes();
    if b.len() != 16 {
        return None;
    }
    let yy = digits(&b[0..2])?;
    let mo = digits(&b[2..4])?;
    let dd = digits(&b[4..6])?;
    let hh = digits(&b[6..8])?;
    let mi = digits(&b[8..10])?;
    let ss = digits(&b[10..12])?;
    let tenths = digits(&b[12..13])?;
    let nn = digits(&b[13..15])?;
    match b[15] {
        b'R' => {
            let secs = ((yy * 365 + mo * 30 + dd) * 24 + hh) * 3600 + mi * 60 + ss;
            Some(now + Duration::from_secs(u64::try_from(secs).ok()?))
        }
        sign @ (b'+' | b'-') => {
            if !(1..=12).contains(&mo) || !(1..=31).contains(&dd) {
                return None;
            }
            let days = days_from_civil(2000 + yy, mo, dd);
            let local = days * 86_400 + hh * 3600 + mi * 60 + ss;
            // The time is local, `nn` quarter hours ahead of (+) or behind (-) UTC.
            let offset = nn * 900;
            let utc = if sign == b'+' {
                local - offset
            } else {
                local + offset
            };
            let utc = u64::try_from(utc).ok()?;
            Some(UNIX_EPOCH + Duration::from_secs(utc) + Duration::from_millis(tenths as u64 * 100))
        }
        _ => None,
    }
}

/// `t` as an absolute SMPP time in UTC (`YYMMDDhhmmss t00+`), years 2000-2099.
pub(crate) fn to_smpp_time(t: SystemTime) -> SmppTime {
    let Ok(d) = t.duration_since(UNIX_EPOCH) else {
        return SmppTime::empty();
    };
    let secs = i64::try_from(d.as_secs()).unwrap_or(0);
    let (y, m, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let text = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}{}00+",
        y.rem_euclid(100),
        m,
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis() / 100
    );
    SmppTime::new(&text).unwrap_or_else(|_| SmppTime::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_relative() {
        let now = UNIX_EPOCH + Duration::from_secs(1_709_214_307); // 2024-02-29 13:45:07 UTC
        let abs = SmppTime::new("240229134507000+").unwrap();
        assert_eq!(resolve(&abs, now), Some(now));
        // 14:45:07 local, one hour (4 quarters) ahead of UTC.
        let ahead = SmppTime::new("240229144507004+").unwrap();
        assert_eq!(resolve(&ahead, now), Some(now));
        let behind = SmppTime::new("240229124507004-").unwrap();
        assert_eq!(resolve(&behind, now), Some(now));
        let rel = SmppTime::new("000001000000000R").unwrap();
        assert_eq!(resolve(&rel, now), Some(now + Duration::from_secs(86_400)));
        assert_eq!(resolve(&SmppTime::empty(), now), None);
        assert_eq!(to_smpp_time(now).as_str(), Some("240229134507000+"));
        assert_eq!(resolve(&to_smpp_time(now), now), Some(now));
    }
}
