//! Logging: JSON lines for machines, readable text on a terminal.
//!
//! Every JSON line carries `timestamp`, `level`, `service`, `target`,
//! `message` and the event's own fields (`topic`, `partition`, `offset`,
//! `article_id`, `stage`, ...) flattened at the top level, so `jq`, Loki and
//! Elasticsearch queries need no nesting. The events themselves are in
//! `events/`.

use crate::config::{LogConfig, LogFormat, OtelConfig};
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
/// replace `log.level`. With `otel.endpoint` set, spans (one per article,
/// with its id and source offset) are also exported over OTLP/HTTP; keep the
/// returned guard alive, its drop flushes them.
pub fn init(config: &LogConfig, target: LogTarget, otel: &OtelConfig) -> TelemetryGuard {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;

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
    type Boxed = Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync>;
    let fmt: Boxed = match (json, target) {
        (true, LogTarget::Stdout) => tracing_subscriber::fmt::layer()
            .event_format(JsonLines)
            .with_writer(std::io::stdout)
            .boxed(),
        (true, LogTarget::Stderr) => tracing_subscriber::fmt::layer()
            .event_format(JsonLines)
            .with_writer(std::io::stderr)
            .boxed(),
        (false, LogTarget::Stdout) => tracing_subscriber::fmt::layer()
            .with_ansi(terminal)
            .with_writer(std::io::stdout)
            .boxed(),
        (false, LogTarget::Stderr) => tracing_subscriber::fmt::layer()
            .with_ansi(terminal)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let (otel_layer, provider) = match otel_provider(otel) {
        Ok(Some(provider)) => {
            use opentelemetry::trace::TracerProvider as _;
            EXPORTING.store(true, std::sync::atomic::Ordering::Relaxed);
            let tracer = provider.tracer("akhbar");
            let layer: Boxed = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_filter(tracing_subscriber::filter::filter_fn(|m| m.is_span()))
                .boxed();
            (Some(layer), Some(provider))
        }
        Ok(None) => (None, None),
        Err(e) => {
            eprintln!("akhbar: OpenTelemetry export disabled: {e}");
            (None, None)
        }
    };
    let mut layers = vec![fmt.with_filter(filter).boxed()];
    layers.extend(otel_layer);
    // A subscriber already installed (tests) is fine.
    let _ = tracing_subscriber::registry().with(layers).try_init();
    TelemetryGuard { provider }
}

static EXPORTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether spans are exported (`otel.endpoint` is set and the exporter started).
pub fn exporting() -> bool {
    EXPORTING.load(std::sync::atomic::Ordering::Relaxed)
}

/// Flushes exported spans when dropped.
pub struct TelemetryGuard {
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            let _ = provider.shutdown();
        }
    }
}

fn otel_provider(
    otel: &OtelConfig,
) -> Result<Option<opentelemetry_sdk::trace::SdkTracerProvider>, String> {
    use opentelemetry_otlp::WithExportConfig;
    if otel.endpoint.is_empty() {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(&otel.endpoint)
        .build()
        .map_err(|e| e.to_string())?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(otel.service_name.clone())
        .build();
    Ok(Some(
        opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build(),
    ))
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

/// The `event` of a JSON line whose event names none.
pub const UNNAMED_EVENT: &str = "library_log";

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
        // Every line can be selected by `event`: lines that bring none
        // (librdkafka's, forwarded through the `log` crate) get one.
        fields
            .entry("event")
            .or_insert_with(|| UNNAMED_EVENT.into());
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

/// A W3C `traceparent` header (`00-<trace id>-<span id>-<flags>`) as a
/// remote parent context; `None` when malformed.
pub fn parse_traceparent(value: &str) -> Option<opentelemetry::Context> {
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    let mut parts = value.trim().split('-');
    let (version, trace, span, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if version.len() != 2 || trace.len() != 32 || span.len() != 16 || flags.len() != 2 {
        return None;
    }
    let context = SpanContext::new(
        TraceId::from_hex(trace).ok()?,
        SpanId::from_hex(span).ok()?,
        TraceFlags::new(u8::from_str_radix(flags, 16).ok()?),
        true,
        TraceState::default(),
    );
    context
        .is_valid()
        .then(|| opentelemetry::Context::new().with_remote_span_context(context))
}

/// The `traceparent` header value of `span`, when it is exported.
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let context = span.context();
    let span_ref = context.span();
    let sc = span_ref.span_context();
    sc.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            sc.trace_id(),
            sc.span_id(),
            sc.trace_flags().to_u8()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_w3c_traceparent_parses_into_a_remote_parent() {
        use opentelemetry::trace::TraceContextExt;
        let cx =
            parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert_eq!(
            cx.span().span_context().trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
    }

    /// The JSON lines `emit` logs, parsed.
    fn json_lines_of(emit: impl FnOnce()) -> Vec<serde_json::Value> {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let sink = buffer.clone();
        let make = move || SharedBuffer(sink.clone());
        tracing::subscriber::with_default(json_subscriber(make), emit);
        let bytes = buffer.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for SharedBuffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_json_line_has_an_event_and_a_named_one_is_kept() {
        let lines = json_lines_of(|| {
            tracing::info!(event = "stats", consumed = 3, "Stats.");
            tracing::warn!("librdkafka: CONFWARN [thrd:app]: a line of the library");
        });
        assert_eq!(lines[0]["event"], "stats");
        assert_eq!(lines[0]["consumed"], 3);
        assert_eq!(lines[1]["event"], UNNAMED_EVENT);
        assert_eq!(lines[1]["service"], "akhbar");
    }

    #[test]
    fn malformed_traceparents_are_ignored() {
        for bad in [
            "",
            "00-xyz-abc-01",
            "00-00000000000000000000000000000000-0000000000000000-01",
        ] {
            assert!(parse_traceparent(bad).is_none(), "{bad}");
        }
    }
}
