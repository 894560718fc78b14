//! Measuring, inside the page, whether it stays responsive: the longest task the
//! browser reports (Long Tasks API: any task over 50 ms) and the longest gap between
//! two animation frames.

use crate::Person;

/// What the page went through since [`Person::start_probe`] or the last reading.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct Responsiveness {
    /// 0 when no task took over 50 ms.
    pub longest_task_ms: f64,
    pub longest_frame_ms: f64,
}

const INSTALL: &str = r#"
if (!PerformanceObserver.supportedEntryTypes.includes('longtask')) return false;
if (!window.__probe) {
  const probe = { task: 0, frame: 0, last: performance.now() };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.task = Math.max(probe.task, e.duration);
  }).observe({ type: 'longtask' });
  const tick = (t) => {
    probe.frame = Math.max(probe.frame, t - probe.last);
    probe.last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__probe = probe;
}
Object.assign(window.__probe, { task: 0, frame: 0, last: performance.now() });
return true;
"#;

// Long task entries are delivered after the task; one frame later they are in.
const READ: &str = r#"
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => setTimeout(() => {
  const p = window.__probe;
  done({ longest_task_ms: p.task, longest_frame_ms: p.frame });
  Object.assign(p, { task: 0, frame: 0, last: performance.now() });
}, 0));
"#;

impl Person {
    /// Starts (or restarts) measuring.
    pub async fn start_probe(&self) {
        let supported: serde_json::Value = self.eval("install the probe", INSTALL).await;
        assert_eq!(
            supported,
            serde_json::Value::Bool(true),
            "the browser reports long tasks"
        );
    }

    /// What happened since the probe was started or last read; restarts it.
    pub async fn read_probe(&self) -> Responsiveness {
        let value = self
            .client
            .execute_async(READ, vec![])
            .await
            .expect("read the probe");
        serde_json::from_value(value).expect("the probe's figures")
    }
}
