//! Cron: processes with `Cron-Interval` tags get ticks as the virtual clock advances, shaped
//! as the compute unit generates them (`servers/cu/src/domain/lib/loadMessages.js`):
//! `Cron = true`, `From` and `Owner` the process owner, the tags of the `Cron-Tag-*` tags
//! after that interval (prefix removed), the tick's time as `Timestamp`.
//!
//! Ticks fall at `spawn time + k * interval` (k >= 1), whole seconds as the CU counts.
//! Within one `advance`, ticks are queued by time, then by spawn order of the processes,
//! then shortest interval first (the CU's order for one process). Block intervals
//! (`10-blocks`) are parsed but never tick: the network has no block production.

use super::trace::Kind;
use super::Network;
use crate::ao::{Message, Tag};
use crate::error::Error;

/// One `Cron-Interval` of a process.
#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    /// The tag's value, e.g. `10-seconds`.
    pub interval: String,
    /// The period in whole seconds; `None` for block intervals.
    pub seconds: Option<i64>,
    /// The tick's tags.
    pub tags: Vec<Tag>,
}

/// Most cron ticks one `advance` may queue.
pub const MAX_TICKS_PER_ADVANCE: u64 = 100_000;

/// The seconds in one unit, with the unit names the `ms` package (the CU's parser) accepts.
fn unit_seconds(unit: &str) -> Option<f64> {
    let s = match unit.to_ascii_lowercase().as_str() {
        "years" | "year" | "yrs" | "yr" | "y" => 365.25 * 86_400.0,
        "weeks" | "week" | "w" => 7.0 * 86_400.0,
        "days" | "day" | "d" => 86_400.0,
        "hours" | "hour" | "hrs" | "hr" | "h" => 3_600.0,
        "minutes" | "minute" | "mins" | "min" | "m" => 60.0,
        "seconds" | "second" | "secs" | "sec" | "s" => 1.0,
        "milliseconds" | "millisecond" | "msecs" | "msec" | "ms" => 0.001,
        _ => return None,
    };
    Some(s)
}

fn parse_interval(interval: &str) -> Result<Option<i64>, String> {
    let mut parts = interval.split('-').map(str::trim);
    let value = parts.next().unwrap_or_default();
    let unit = parts.next().unwrap_or_default();
    if unit == "blocks" || unit == "block" {
        return Ok(None);
    }
    let n: f64 = value
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
        .ok_or_else(|| format!("Cron-Interval '{interval}': '{value}' is not a number"))?;
    let per = unit_seconds(unit).ok_or_else(|| {
        format!("Cron-Interval '{interval}': unknown unit '{unit}' (seconds, minutes, hours, days, weeks, years or blocks)")
    })?;
    let seconds = (n * per).floor();
    if seconds < 1.0 {
        return Err(format!(
            "Cron-Interval '{interval}': time-based cron cannot be less than 1 second"
        ));
    }
    Ok(Some(seconds as i64))
}

/// The crons of a process's tags: each `Cron-Interval` with the `Cron-Tag-*` tags after it.
pub fn parse(tags: &[Tag]) -> Result<Vec<Cron>, String> {
    let mut crons: Vec<Cron> = Vec::new();
    for t in tags {
        if t.name == "Cron-Interval" {
            crons.push(Cron {
                interval: t.value.clone(),
                seconds: parse_interval(&t.value)?,
                tags: Vec::new(),
            });
        } else if let Some(name) = t.name.strip_prefix("Cron-Tag-").filter(|n| !n.is_empty()) {
            let cron = crons.last_mut().ok_or_else(|| {
                format!(
                    "Unmatched Cron-Tag with no preceding Cron-Interval: {}",
                    t.name
                )
            })?;
            cron.tags.push(Tag::new(name, t.value.clone()));
        }
    }
    Ok(crons)
}

impl Network {
    /// The virtual clock (ms since the epoch): the `Timestamp` of messages queued now.
    pub fn clock(&self) -> i64 {
        self.clock
    }

    /// Moves the virtual clock forward by `ms` and queues the cron ticks that fall in
    /// between (delivered by the next `step`/`run`, after what was already pending).
    /// Returns how many ticks were queued. More than [`MAX_TICKS_PER_ADVANCE`] ticks is an
    /// error and changes nothing.
    pub fn advance(&mut self, ms: i64) -> Result<u64, Error> {
        let result = self.advance_inner(ms);
        self.logged(super::log::Action::Advance { ms }, result)
    }

    fn advance_inner(&mut self, ms: i64) -> Result<u64, Error> {
        if ms < 0 {
            return Err(Error::BadOptions(format!(
                "the clock only moves forward (advance by {ms} ms)"
            )));
        }
        let (from, to) = (self.clock, self.clock.saturating_add(ms));
        // (time, process order, interval order, process, cron index)
        let mut ticks: Vec<(i64, usize, usize, String, usize)> = Vec::new();
        let mut count: u64 = 0;
        for (order, id) in self.order.iter().enumerate() {
            let Some(node) = self.nodes.get(id) else {
                continue;
            };
            let mut crons: Vec<(usize, i64)> = node
                .crons
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.seconds.map(|s| (i, s)))
                .collect();
            crate::vm::sort::sort_by_key(&mut crons, |(_, s)| *s);
            for (rank, (i, seconds)) in crons.into_iter().enumerate() {
                let period = seconds.saturating_mul(1000);
                let first = (from - node.origin).div_euclid(period) + 1;
                let last = (to - node.origin).div_euclid(period);
                if last < first {
                    continue;
                }
                count += (last - first + 1) as u64;
                if count > MAX_TICKS_PER_ADVANCE {
                    return Err(Error::BadOptions(format!(
                        "advancing {ms} ms would queue more than {MAX_TICKS_PER_ADVANCE} cron ticks; advance in smaller steps"
                    )));
                }
                for k in first..=last {
                    ticks.push((node.origin + k * period, order, rank, id.clone(), i));
                }
            }
        }
        crate::vm::sort::sort_by(&mut ticks, |a, b| a.cmp(b));
        self.clock = to;
        for (time, _, _, id, i) in ticks {
            let Some(node) = self.nodes.get(&id) else {
                continue;
            };
            let owner = node.process.owner().to_owned();
            let tags = node.crons[i].tags.clone();
            let message = Message {
                id: Some(self.fresh_id("cron")),
                from: Some(owner.clone()),
                owner: Some(owner),
                target: Some(id.clone()),
                tags,
                timestamp: Some(time),
                block_height: Some(self.block_height),
                cron: true,
                ..Message::default()
            };
            self.enqueue(Kind::Cron, id, message);
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_tags() {
        let tags = vec![
            Tag::new("Name", "x"),
            Tag::new("Cron-Interval", "1-minute"),
            Tag::new("Cron-Tag-Action", "Tick"),
            Tag::new("Cron-Interval", "10-blocks"),
            Tag::new("Cron-Tag-Action", "Block"),
        ];
        let crons = parse(&tags).unwrap();
        assert_eq!(crons[0].seconds, Some(60));
        assert_eq!(crons[0].tags, vec![Tag::new("Action", "Tick")]);
        assert_eq!(crons[1].seconds, None);
        assert!(parse(&[Tag::new("Cron-Interval", "500-milliseconds")]).is_err());
        assert!(parse(&[Tag::new("Cron-Interval", "1-fortnight")]).is_err());
        assert!(parse(&[Tag::new("Cron-Tag-Action", "x")]).is_err());
        assert_eq!(
            parse(&[Tag::new("Cron-Interval", "1.5-hours")]).unwrap()[0].seconds,
            Some(5400)
        );
    }
}
