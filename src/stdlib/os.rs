//! A deterministic `os` library: `time`, `date`, `clock`, `difftime`.
//!
//! The clock is the host's (`Host::time_ms`, aos's message timestamp), never the machine's;
//! `os.clock()` is consumed fuel converted to seconds, never CPU time. Dates are computed in
//! UTC with the C locale (local time is UTC). The environment is empty, as in aos:
//! `getenv` returns nil for every name. `setlocale` keeps names only, as aos's C library
//! does (`locale.rs`). `execute`, `remove`, `rename` and `tmpname` answer as aos's
//! emscripten stubs do (`os_files.rs`); `exit` ends the whole call, as emscripten's `exit` ends
//! aos's evaluation (`Host::exit`).

use std::cell::RefCell;
use std::rc::Rc;

use piccolo::{Callback, CallbackReturn, Context, Error, Execution, Stack, Table, Value};

use super::argcheck::{
    bad_arg, check_integer, check_string, error, opt_bytes, opt_integer, plain_error, to_integer,
};
use crate::vm::helpers::charge;
use crate::vm::{Host, FUEL_PER_SECOND};

const DAY: i64 = 86_400;

/// A broken-down UTC time (`struct tm` with full-width fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tm {
    pub year: i64,
    /// 1..=12
    pub month: i64,
    /// 1..=31
    pub day: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    /// 0..=6, Sunday = 0
    pub wday: i64,
    /// 1..=366
    pub yday: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month may be any value; it is
/// folded into the year first).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let m0 = month - 1;
    let year = year + m0.div_euclid(12);
    let month = m0.rem_euclid(12) + 1;
    // Count from March so the leap day is the last day of the counted year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The UTC broken-down time of `t` seconds since the epoch.
pub fn gmtime(t: i64) -> Tm {
    let days = t.div_euclid(DAY);
    let secs = t.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Tm {
        year,
        month,
        day,
        hour: secs / 3600,
        min: secs % 3600 / 60,
        sec: secs % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
    }
}

/// The largest |year| we format: beyond it C's `int tm_year` overflows and Lua reports
/// that the time cannot be represented.
const MAX_YEAR: i64 = i32::MAX as i64 + 1900;

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// ISO 8601 week-based year and week number.
fn iso_week(tm: &Tm) -> (i64, i64) {
    let wday_mon = (tm.wday + 6) % 7; // Monday = 0
    let yday0 = tm.yday - 1;
    let week = (yday0 - wday_mon + 10) / 7;
    if week < 1 {
        let py = tm.year - 1;
        let pdays = if is_leap(py) { 366 } else { 365 };
        let w = (yday0 + pdays - wday_mon + 10) / 7;
        (py, w)
    } else {
        let days = if is_leap(tm.year) { 366 } else { 365 };
        if week == 53 && yday0 - wday_mon + 3 >= days {
            (tm.year + 1, 1)
        } else {
            (tm.year, week)
        }
    }
}

/// Whether `%<mod><c>` is a conversion C99's strftime accepts (Lua checks this).
fn valid_conversion(modifier: Option<u8>, c: u8) -> bool {
    match modifier {
        None => b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%".contains(&c),
        Some(b'E') => b"cCxXyY".contains(&c),
        Some(_) => b"deHImMSuUVwWy".contains(&c),
    }
}

/// `strftime` in the C locale for a UTC time. `Err(spec)` names an invalid conversion.
pub fn strftime(fmt: &[u8], tm: &Tm, zone: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        let start = i;
        let mut modifier = None;
        if let Some(&m @ (b'E' | b'O')) = fmt.get(i) {
            modifier = Some(m);
            i += 1;
        }
        match fmt.get(i) {
            Some(&conv) if valid_conversion(modifier, conv) => {
                i += 1;
                conversion(conv, tm, zone, &mut out);
            }
            // Lua quotes everything after the `%` when a conversion is invalid.
            _ => return Err(format!("%{}", String::from_utf8_lossy(&fmt[start..]))),
        }
    }
    Ok(out)
}

fn conversion(conv: u8, tm: &Tm, zone: &str, out: &mut Vec<u8>) {
    use std::io::Write;
    let hour12 = match tm.hour % 12 {
        0 => 12,
        h => h,
    };
    let wd = WEEKDAYS[tm.wday as usize % 7];
    let mon = MONTHS[(tm.month - 1).rem_euclid(12) as usize];
    let _ = match conv {
        b'a' => write!(out, "{}", &wd[..3]),
        b'A' => write!(out, "{wd}"),
        b'b' | b'h' => write!(out, "{}", &mon[..3]),
        b'B' => write!(out, "{mon}"),
        b'c' => {
            // aos's C library (emscripten's) writes the day with two digits ("Jan 02"), where
            // glibc pads it with a space (oracle scenario `os_library`).
            conversion(b'a', tm, zone, out);
            out.push(b' ');
            conversion(b'b', tm, zone, out);
            let _ = write!(out, " {:02} ", tm.day);
            conversion(b'T', tm, zone, out);
            let _ = write!(out, " {}", tm.year);
            Ok(())
        }
        // aos's strftime (emscripten's) writes the century as the year's quotient by 100
        // (towards zero) in two characters at least, and a two-digit year as the year's
        // digits after its first two: the last two for years 1000-9999, as C, but "5" for 385.
        b'C' => write!(out, "{:02}", tm.year / 100),
        b'd' => write!(out, "{:02}", tm.day),
        b'D' | b'x' => write!(out, "{:02}/{:02}/{}", tm.month, tm.day, after_two(tm.year)),
        b'e' => write!(out, "{:2}", tm.day),
        b'F' => write!(out, "{}-{:02}-{:02}", tm.year, tm.month, tm.day),
        b'g' => write!(out, "{}", after_two(iso_week(tm).0)),
        b'G' => write!(out, "{}", iso_week(tm).0),
        b'H' => write!(out, "{:02}", tm.hour),
        b'I' => write!(out, "{hour12:02}"),
        b'j' => write!(out, "{:03}", tm.yday),
        b'm' => write!(out, "{:02}", tm.month),
        b'M' => write!(out, "{:02}", tm.min),
        b'n' => out.write_all(b"\n"),
        b'p' => write!(out, "{}", if tm.hour < 12 { "AM" } else { "PM" }),
        b'r' => write!(
            out,
            "{hour12:02}:{:02}:{:02} {}",
            tm.min,
            tm.sec,
            if tm.hour < 12 { "AM" } else { "PM" }
        ),
        b'R' => write!(out, "{:02}:{:02}", tm.hour, tm.min),
        b'S' => write!(out, "{:02}", tm.sec),
        b't' => out.write_all(b"\t"),
        b'T' | b'X' => write!(out, "{:02}:{:02}:{:02}", tm.hour, tm.min, tm.sec),
        b'u' => write!(out, "{}", if tm.wday == 0 { 7 } else { tm.wday }),
        b'U' => write!(out, "{:02}", (tm.yday - 1 + 7 - tm.wday) / 7),
        b'V' => write!(out, "{:02}", iso_week(tm).1),
        b'w' => write!(out, "{}", tm.wday),
        b'W' => write!(out, "{:02}", (tm.yday - 1 + 7 - (tm.wday + 6) % 7) / 7),
        b'y' => write!(out, "{}", after_two(tm.year)),
        b'Y' => write!(out, "{}", tm.year),
        b'z' => write!(out, "+0000"),
        b'Z' => write!(out, "{zone}"),
        _ => write!(out, "%"),
    };
}

/// A year's decimal digits after the first two characters (JavaScript's
/// `year.toString().substring(2)`, which aos's `%y` and `%g` are).
fn after_two(year: i64) -> String {
    year.to_string().get(2..).unwrap_or_default().to_owned()
}

/// Stores the fields of `tm` into `t`. `os.time` writes them back into the caller's table,
/// so every store goes through the guarded, logged `raw_set` (the table may hold deleted
/// keys, and a failed message must not keep the change).
fn set_fields<'gc>(ctx: Context<'gc>, t: Table<'gc>, tm: &Tm) {
    let fields: [(&'static str, Value<'gc>); 9] = [
        ("year", tm.year.into()),
        ("month", tm.month.into()),
        ("day", tm.day.into()),
        ("hour", tm.hour.into()),
        ("min", tm.min.into()),
        ("sec", tm.sec.into()),
        ("wday", (tm.wday + 1).into()),
        ("yday", tm.yday.into()),
        ("isdst", false.into()),
    ];
    for (key, value) in fields {
        let _ = crate::vm::undo::raw_set(ctx, t, ctx.intern(key.as_bytes()).into(), value);
    }
}

/// One field of an `os.time` table, as Lua's `getfield` reads it.
fn get_field<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    t: Table<'gc>,
    key: &'static str,
    default: Option<i64>,
) -> Result<i64, Error<'gc>> {
    const MAX_FIELD: i64 = (i32::MAX / 2) as i64;
    let v = t.get(ctx, key);
    match to_integer(v) {
        Some(n) if (-MAX_FIELD..=MAX_FIELD).contains(&n) => Ok(n),
        Some(_) => Err(error(ctx, exec, &format!("field '{key}' is out-of-bound"))),
        None if !v.is_nil() => Err(error(
            ctx,
            exec,
            &format!("field '{key}' is not an integer"),
        )),
        None => {
            default.ok_or_else(|| error(ctx, exec, &format!("field '{key}' missing in date table")))
        }
    }
}

fn check_time<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    name: &str,
) -> Result<i64, Error<'gc>> {
    check_integer(ctx, exec, stack, i, name)
}

fn now(host: &Rc<RefCell<Host>>) -> i64 {
    host.borrow().time_ms.div_euclid(1000)
}

pub fn install<'gc>(ctx: Context<'gc>, host: Rc<RefCell<Host>>) {
    let os = Table::new(&ctx);
    let time_host = host.clone();
    let time = Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
        let t = match stack.get(0) {
            Value::Nil => now(&time_host),
            Value::Table(t) => {
                // Lua reads the fields in this order, which decides which error shows.
                let sec = get_field(ctx, &exec, t, "sec", Some(0))?;
                let min = get_field(ctx, &exec, t, "min", Some(0))?;
                let hour = get_field(ctx, &exec, t, "hour", Some(12))?;
                let day = get_field(ctx, &exec, t, "day", None)?;
                let month = get_field(ctx, &exec, t, "month", None)?;
                let year = get_field(ctx, &exec, t, "year", None)?;
                let days = days_from_civil(year, month, day);
                let secs = days * DAY + hour * 3600 + min * 60 + sec;
                let tm = gmtime(secs);
                if tm.year.abs() > MAX_YEAR {
                    return Err(error(
                        ctx,
                        &exec,
                        "time result cannot be represented in this installation",
                    ));
                }
                // Lua 5.3 writes the normalized fields back into the table.
                set_fields(ctx, t, &tm);
                // -1 is C mktime's failure value, so Lua 5.3 cannot return it either.
                if secs == -1 {
                    return Err(error(
                        ctx,
                        &exec,
                        "time result cannot be represented in this installation",
                    ));
                }
                secs
            }
            _ => {
                return Err(super::argcheck::type_error(
                    ctx, &exec, &stack, 0, "os.time", "table",
                ))
            }
        };
        stack.replace(ctx, t);
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "time", time);

    let date_host = host.clone();
    let date = Callback::from_fn(&ctx, move |ctx, mut exec, mut stack| {
        let fmt = opt_bytes(ctx, &exec, &stack, 0, "os.date")?.unwrap_or_else(|| b"%c".to_vec());
        let t = if stack.get(1).is_nil() {
            now(&date_host)
        } else {
            check_time(ctx, &exec, &stack, 1, "os.date")?
        };
        // Local time is UTC here; `!` (UTC) is accepted and changes only the zone name.
        let (utc, fmt) = match fmt.strip_prefix(b"!") {
            Some(rest) => (true, rest),
            None => (false, &fmt[..]),
        };
        let tm = gmtime(t);
        if tm.year.abs() > MAX_YEAR {
            return Err(plain_error(
                ctx,
                "time result cannot be represented in this installation",
            ));
        }
        if fmt.starts_with(b"*t") {
            let table = Table::new(&ctx);
            set_fields(ctx, table, &tm);
            stack.replace(ctx, table);
            return Ok(CallbackReturn::Return);
        }
        charge(&mut exec, fmt.len() / 8);
        let zone = if utc { "GMT" } else { "UTC" };
        match strftime(fmt, &tm, zone) {
            Ok(text) => {
                stack.replace(ctx, ctx.intern(&text));
                Ok(CallbackReturn::Return)
            }
            Err(spec) => Err(bad_arg(
                ctx,
                &exec,
                0,
                "os.date",
                &format!("invalid conversion specifier '{spec}'"),
            )),
        }
    });
    let _ = os.set(ctx, "date", date);

    let host_for_files = host.clone();
    let clock_host = host.clone();
    let clock = Callback::from_fn(&ctx, move |ctx, mut exec, mut stack| {
        let remaining = exec.fuel().remaining();
        let used = clock_host.borrow().fuel_total(remaining);
        stack.replace(ctx, used as f64 / FUEL_PER_SECOND);
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "clock", clock);

    let difftime = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let a = check_time(ctx, &exec, &stack, 0, "os.difftime")?;
        let b = check_time(ctx, &exec, &stack, 1, "os.difftime")?;
        stack.replace(ctx, a as f64 - b as f64);
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "difftime", difftime);

    let getenv = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        check_string(ctx, &exec, &stack, 0, "os.getenv")?;
        stack.replace(ctx, Value::Nil);
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "getenv", getenv);
    super::locale::install(ctx, os);
    super::os_files::install(ctx, os, host_for_files);

    let exit_host = host;
    let exit = Callback::from_fn(&ctx, move |ctx, mut exec, stack| {
        // Lua's `os_exit`: a boolean picks EXIT_SUCCESS or EXIT_FAILURE, else an optional
        // integer (checked, so `os.exit("x")` is an ordinary, catchable argument error),
        // narrowed to C's `int`. The second argument (close the state) changes nothing.
        let status = match stack.get(0) {
            Value::Boolean(b) => i32::from(!b),
            _ => opt_integer(ctx, &exec, &stack, 0, "os.exit", 0)? as i32,
        };
        exit_host.borrow_mut().exit = Some(status);
        // The slice ends as soon as this callback returns; the host then ends the call.
        exec.fuel().interrupt();
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "exit", exit);

    let _ = ctx.globals().set(ctx, "os", os);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for t in [
            -86_400 * 800_000,
            -1,
            0,
            59,
            86_399,
            951_782_400,
            4_102_444_800,
            253_402_300_799,
        ] {
            let tm = gmtime(t);
            let back = days_from_civil(tm.year, tm.month, tm.day) * DAY
                + tm.hour * 3600
                + tm.min * 60
                + tm.sec;
            assert_eq!(back, t);
        }
        assert_eq!(gmtime(0).wday, 4);
        assert_eq!(gmtime(951_782_400).month, 2); // 2000-02-29
        assert_eq!(gmtime(951_782_400).day, 29);
    }

    #[test]
    fn iso_weeks() {
        // 2021-01-01 is a Friday in ISO week 2020-W53; 2018-12-31 is in 2019-W01.
        let t = days_from_civil(2021, 1, 1) * DAY;
        assert_eq!(iso_week(&gmtime(t)), (2020, 53));
        let t = days_from_civil(2018, 12, 31) * DAY;
        assert_eq!(iso_week(&gmtime(t)), (2019, 1));
    }
}
