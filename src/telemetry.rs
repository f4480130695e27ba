//! Logging: JSON lines for machines, readable text on a terminal.
//!
//! Every JSON line carries `timestamp`, `level`, `service`, `target`,
//! `message` and the event's own fields (`topic`, `partition`, `offset`,
//! `article_id`, `stage`, ...) flattened at the top level, so `jq`, Loki and
//! Elasticsearch queries need no nesting. The events themselves are in
//! `events/`.

use crate::config::{LogConfig, LogFormat};
use std::fmt;
use std::io::IsTerminal;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// The `service` field of every log line.
pub const SERVICE: &str = "akhbar";

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogTarget {
    /// `run`: logs are the program's output.
    Stdout,
    /// `enrich`, `demo`: stdout carries records or the summary.
    Stderr,
}

/// Installs the global subscriber. `RUST_LOG` or `AKHBAR_LOG`, when set,
/// replace `log.level`.
pub fn init(config: &LogConfig, target: LogTarget) {
    let filter = std::env::var("AKHBAR_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| {
            EnvFilter::try_new(&config.level).unwrap_or_else(|_| EnvFilter::new("info"))
        });
    let terminal = match target {
        LogTarget::Stdout => std::io::stdout().is_terminal(),
        LogTarget::Stderr => std::io::stderr().is_terminal(),
    };
    let json = match config.format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !terminal,
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = match (json, target) {
        (true, LogTarget::Stdout) => builder
            .event_format(JsonLines)
            .with_writer(std::io::stdout)
            .try_init(),
        (true, LogTarget::Stderr) => builder
            .event_format(JsonLines)
            .with_writer(std::io::stderr)
            .try_init(),
        (false, LogTarget::Stdout) => builder
            .with_ansi(terminal)
            .with_writer(std::io::stdout)
            .try_init(),
        (false, LogTarget::Stderr) => builder
            .with_ansi(terminal)
            .with_writer(std::io::stderr)
            .try_init(),
    };
    // A subscriber already installed (tests) is fine.
    let _ = result;
}

/// A subscriber writing JSON lines to `writer`, for tests of log output.
pub fn json_subscriber<W>(writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("info"))
        .event_format(JsonLines)
        .with_writer(writer)
        .finish()
}

/// One JSON object per event, fields flattened.
pub struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut fields = serde_json::Map::new();
        let now = time::OffsetDateTime::now_utc();
        let timestamp = now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        fields.insert("timestamp".into(), timestamp.into());
        fields.insert("level".into(), meta.level().as_str().into());
        fields.insert("service".into(), SERVICE.into());
        fields.insert("target".into(), meta.target().into());
        event.record(&mut JsonVisitor(&mut fields));
        let line = serde_json::to_string(&fields).map_err(|_| fmt::Error)?;
        writeln!(writer, "{line}")
    }
}

struct JsonVisitor<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl Visit for JsonVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }
}
