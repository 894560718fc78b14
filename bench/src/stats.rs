//! Measuring the server process (CPU, memory) and summarising latencies.

use std::io;

/// CPU time (in clock ticks of 10 ms) and resident memory of a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub cpu_ticks: u64,
    pub rss_kib: u64,
}

pub fn sample(pid: u32) -> io::Result<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start after ')'.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    Ok(Sample {
        cpu_ticks: ticks(11) + ticks(12),
        rss_kib,
    })
}

/// CPU use between two samples `secs` apart, in percent of one core.
pub fn cpu_percent(before: Sample, after: Sample, secs: f64) -> f64 {
    // Linux reports CPU time in ticks of 1/100 s (CLK_TCK).
    (after.cpu_ticks.saturating_sub(before.cpu_ticks)) as f64 / secs
}

/// Latencies in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Latencies {
    samples: Vec<u32>,
}

impl Latencies {
    pub fn record(&mut self, micros: u64) {
        self.samples.push(u32::try_from(micros).unwrap_or(u32::MAX));
    }

    pub fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
    }

    /// The `p`th percentile (0-100) in milliseconds, or None without samples.
    pub fn percentile_ms(&mut self, p: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        self.samples.sort_unstable();
        let rank = ((p / 100.0) * (self.samples.len() - 1) as f64).round() as usize;
        Some(f64::from(self.samples[rank.min(self.samples.len() - 1)]) / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let mut l = Latencies::default();
        for us in 1..=100 {
            l.record(us * 1000);
        }
        assert_eq!(l.percentile_ms(50.0), Some(51.0));
        assert_eq!(l.percentile_ms(99.0), Some(99.0));
        assert_eq!(Latencies::default().percentile_ms(50.0), None);
    }

    #[test]
    fn reads_this_process() {
        let s = sample(std::process::id()).unwrap();
        assert!(s.rss_kib > 0);
    }
}
