//! Configuration: the file format, environment overrides and validation.
//!
//! Precedence, lowest first: built-in defaults (`config/default.toml` is the
//! same values, documented key by key), the file given with `--config`, then
//! environment variables `AKHBAR_<SECTION>__<KEY>`. librdkafka properties
//! go under `kafka.options` (both clients), `kafka.consumer` or
//! `kafka.producer`; in the environment their dots are written as
//! underscores: `AKHBAR_KAFKA__OPTIONS__SESSION_TIMEOUT_MS=6000`.
//!
//! Unknown keys and invalid values stop start-up with a message naming the
//! key. Secret-looking librdkafka properties are redacted whenever the
//! configuration is shown.

use crate::stages::{StageKind, StagesConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;
use toml::Value;

/// Prefix of every environment override.
pub const ENV_PREFIX: &str = "AKHBAR_";
/// Environment variables that start with the prefix but are not config keys.
const ENV_NOT_KEYS: &[&str] = &["AKHBAR_CONFIG", "AKHBAR_LOG", "AKHBAR_SHARED_DIR"];
/// Tables whose keys are librdkafka properties (free-form, dotted).
const PROPERTY_TABLES: &[&str] = &["options", "consumer", "producer"];

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub kafka: KafkaConfig,
    pub topics: TopicsConfig,
    pub pipeline: PipelineConfig,
    pub stages: StagesConfig,
    pub dead_letter: DeadLetterConfig,
    pub delivery: DeliveryConfig,
    pub shutdown: ShutdownConfig,
    pub log: LogConfig,
    pub http: HttpConfig,
    pub otel: OtelConfig,
}

/// Optional OpenTelemetry export of spans (off by default).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OtelConfig {
    /// OTLP/HTTP traces endpoint, e.g. `http://otel-collector:4318/v1/traces`;
    /// empty disables the export.
    pub endpoint: String,
    /// `service.name` of the exported spans.
    pub service_name: String,
}

impl Default for OtelConfig {
    fn default() -> Self {
        OtelConfig {
            endpoint: String::new(),
            service_name: "akhbar".into(),
        }
    }
}

/// The health and metrics endpoint of `akhbar run`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// `ip:port` for `/healthz`, `/readyz` and `/metrics`; empty disables it.
    pub listen: String,
    /// `/healthz` fails when work in flight has not moved for this long.
    pub liveness_stall_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: "0.0.0.0:9898".into(),
            liveness_stall_secs: 120,
        }
    }
}

/// Connection to the cluster.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct KafkaConfig {
    /// Bootstrap servers, comma separated `host:port`.
    pub brokers: String,
    /// Consumer group shared by every replica.
    pub group_id: String,
    /// librdkafka properties for both consumer and producer.
    pub options: BTreeMap<String, String>,
    /// librdkafka properties for the consumer only.
    pub consumer: BTreeMap<String, String>,
    /// librdkafka properties for the producer only.
    pub producer: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: "localhost:9092".into(),
            group_id: "akhbar".into(),
            options: BTreeMap::new(),
            consumer: BTreeMap::new(),
            producer: BTreeMap::new(),
        }
    }
}

/// Topic names.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TopicsConfig {
    pub input: String,
    pub output: String,
    pub dead_letter: String,
}

impl Default for TopicsConfig {
    fn default() -> Self {
        TopicsConfig {
            input: "news.raw".into(),
            output: "news.enriched".into(),
            dead_letter: "news.dead-letter".into(),
        }
    }
}

/// The stage chain and its workers.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// Stages in the order they run.
    pub stages: Vec<StageKind>,
    /// Worker threads running stages; 0 means one per CPU core.
    pub workers: usize,
    /// Messages taken from Kafka and not yet acknowledged, over all partitions.
    pub max_in_flight: usize,
    /// The same bound per partition.
    pub max_in_flight_per_partition: usize,
    /// Messages larger than this go to the dead-letter topic undecoded.
    pub max_message_bytes: usize,
    /// Time limit for all stages on one article, in milliseconds.
    pub article_timeout_ms: u64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            stages: StageKind::ALL.to_vec(),
            workers: 0,
            max_in_flight: 1_000,
            max_in_flight_per_partition: 250,
            max_message_bytes: 8 * 1024 * 1024,
            article_timeout_ms: 30_000,
        }
    }
}

impl PipelineConfig {
    /// The worker count with 0 resolved to the number of cores.
    pub fn worker_count(&self) -> usize {
        if self.workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            self.workers
        }
    }
}

/// Dead-letter behaviour and the failure-rate limit.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeadLetterConfig {
    /// Stop when more than this share of the last `window` messages were
    /// dead-lettered (0 to 1; 1 disables the limit).
    pub max_ratio: f64,
    /// Number of most recent messages the ratio is computed over.
    pub window: usize,
    /// The limit is not applied before this many messages were seen.
    pub min_messages: usize,
    /// Original payloads longer than this are truncated in the dead-letter
    /// record (headers say so); keeps a 50 MB poison message publishable.
    pub max_payload_bytes: usize,
}

impl Default for DeadLetterConfig {
    fn default() -> Self {
        DeadLetterConfig {
            max_ratio: 0.5,
            window: 1_000,
            min_messages: 100,
            max_payload_bytes: 900_000,
        }
    }
}

/// What a consumer of the output can rely on.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Guarantee {
    /// Every input message ends as a record; after a crash or rebalance some
    /// may appear twice (deduplicate on `id` and the source offset headers).
    #[default]
    AtLeastOnce,
    /// Output records and input offsets are committed in one Kafka
    /// transaction: `read_committed` readers see each record once.
    ExactlyOnce,
}

/// Delivery to the output and dead-letter topics.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// `at-least-once` or `exactly-once`.
    pub guarantee: Guarantee,
    /// First wait before re-sending a record whose delivery failed transiently.
    pub retry_backoff_ms: u64,
    /// Longest wait between re-sends.
    pub retry_backoff_max_ms: u64,
    /// Exactly-once: how often the open transaction is committed.
    pub transaction_interval_ms: u64,
    /// Exactly-once: the producer's `transactional.id`; empty means
    /// `akhbar-<group id>-<HOSTNAME>`. A second instance with the same id
    /// fences the first.
    pub transactional_id: String,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            guarantee: Guarantee::AtLeastOnce,
            retry_backoff_ms: 200,
            retry_backoff_max_ms: 10_000,
            transaction_interval_ms: 1_000,
            transactional_id: String::new(),
        }
    }
}

impl DeliveryConfig {
    /// The transactional id this instance uses in exactly-once mode.
    pub fn transactional_id(&self, group_id: &str) -> String {
        if !self.transactional_id.is_empty() {
            return self.transactional_id.clone();
        }
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "local".into());
        format!("akhbar-{group_id}-{host}")
    }
}

/// Shutdown and rebalance deadlines.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ShutdownConfig {
    /// Time to finish in-flight work after SIGTERM before committing what is done.
    pub drain_timeout_ms: u64,
    /// Time a revoked partition's in-flight work gets to finish before its
    /// offsets are committed and it is handed over.
    pub revoke_timeout_ms: u64,
    /// Time the final commit and leaving the group get after the drain; a
    /// broker that does not answer must not keep the process from exiting.
    pub leave_timeout_ms: u64,
}

impl Default for ShutdownConfig {
    fn default() -> Self {
        ShutdownConfig {
            drain_timeout_ms: 25_000,
            revoke_timeout_ms: 5_000,
            leave_timeout_ms: 10_000,
        }
    }
}

/// Log output.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `auto` (JSON lines unless writing to a terminal), `json` or `text`.
    pub format: LogFormat,
    /// A tracing filter: `info`, `akhbar=debug,rdkafka=warn`, ...
    pub level: String,
    /// Seconds between stats lines; 0 disables them.
    pub stats_interval_secs: u64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Auto,
            level: "info".into(),
            stats_interval_secs: 30,
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Auto,
    Json,
    Text,
}

/// Why the configuration was refused.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

impl Config {
    /// Loads defaults, then `path` if given, then the process environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_from(path, std::env::vars())
    }

    /// [`Config::load`] with an explicit environment (tests).
    pub fn load_from(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let defaults =
            Value::try_from(Config::default()).map_err(|e| invalid("", e.to_string()))?;
        let mut merged = defaults.clone();
        if let Some(path) = path {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let file: Value =
                text.parse::<toml::Table>()
                    .map(Value::Table)
                    .map_err(|e| ConfigError::Syntax {
                        path: shown,
                        message: e.message().to_string(),
                    })?;
            merge(&mut merged, file);
        }
        let mut env: Vec<(String, String)> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX) && !ENV_NOT_KEYS.contains(&k.as_str()))
            .collect();
        env.sort();
        for (var, raw) in env {
            apply_env(&mut merged, &defaults, &var, &raw)?;
        }
        let config: Config = serde_path_to_error::deserialize(merged).map_err(|e| {
            let key = e.path().to_string();
            // toml's messages span lines; keep the reason on one line.
            let message = e.inner().to_string();
            let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
            invalid(&key, message)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.kafka.brokers.trim().is_empty() {
            return Err(invalid("kafka.brokers", "must name at least one broker"));
        }
        for broker in self.kafka.brokers.split(',') {
            let broker = broker.trim();
            let port_ok = broker
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !port_ok {
                return Err(invalid(
                    "kafka.brokers",
                    format!("`{broker}` is not host:port"),
                ));
            }
        }
        if self.kafka.group_id.trim().is_empty() {
            return Err(invalid("kafka.group_id", "must not be empty"));
        }
        for (key, name) in [
            ("topics.input", &self.topics.input),
            ("topics.output", &self.topics.output),
            ("topics.dead_letter", &self.topics.dead_letter),
        ] {
            validate_topic(name).map_err(|m| invalid(key, m))?;
        }
        if self.topics.output == self.topics.input || self.topics.dead_letter == self.topics.input {
            return Err(invalid(
                "topics",
                "output and dead_letter must differ from input (the pipeline would read its own output)",
            ));
        }
        if self.pipeline.stages.is_empty() {
            return Err(invalid("pipeline.stages", "must name at least one stage"));
        }
        let mut seen = std::collections::HashSet::new();
        for stage in &self.pipeline.stages {
            if !seen.insert(stage) {
                return Err(invalid(
                    "pipeline.stages",
                    format!("stage `{}` is listed twice", stage.name()),
                ));
            }
        }
        if self.pipeline.max_in_flight == 0 || self.pipeline.max_in_flight_per_partition == 0 {
            return Err(invalid("pipeline.max_in_flight", "must be at least 1"));
        }
        if self.pipeline.max_message_bytes == 0 {
            return Err(invalid("pipeline.max_message_bytes", "must be at least 1"));
        }
        if self.pipeline.article_timeout_ms == 0 {
            return Err(invalid("pipeline.article_timeout_ms", "must be at least 1"));
        }
        if !(0.0..=1.0).contains(&self.dead_letter.max_ratio) {
            return Err(invalid("dead_letter.max_ratio", "must be between 0 and 1"));
        }
        if self.dead_letter.window == 0 {
            return Err(invalid("dead_letter.window", "must be at least 1"));
        }
        if self.delivery.retry_backoff_ms == 0
            || self.delivery.retry_backoff_max_ms < self.delivery.retry_backoff_ms
        {
            return Err(invalid(
                "delivery.retry_backoff_ms",
                "must be at least 1 and at most delivery.retry_backoff_max_ms",
            ));
        }
        if self.delivery.transaction_interval_ms == 0 {
            return Err(invalid(
                "delivery.transaction_interval_ms",
                "must be at least 1",
            ));
        }
        if !self.http.listen.is_empty() && self.http.listen.parse::<std::net::SocketAddr>().is_err()
        {
            return Err(invalid(
                "http.listen",
                format!(
                    "`{}` is not ip:port (empty disables the endpoint)",
                    self.http.listen
                ),
            ));
        }
        let endpoint = &self.otel.endpoint;
        let is_url = endpoint.starts_with("http://") || endpoint.starts_with("https://");
        if !endpoint.is_empty() && !is_url {
            return Err(invalid(
                "otel.endpoint",
                "must be an http:// or https:// URL (or empty)",
            ));
        }
        if self.http.liveness_stall_secs == 0 {
            return Err(invalid("http.liveness_stall_secs", "must be at least 1"));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| invalid("log.level", e.to_string()))?;
        // The client settings after the merge of defaults and overrides: a
        // property that would break the delivery guarantee is refused here,
        // at start-up, not when the client is created.
        crate::kafka_client::consumer_config(&self.kafka)
            .map_err(|e| invalid("kafka.consumer", e.to_string()))?;
        crate::kafka_client::producer_config(&self.kafka)
            .map_err(|e| invalid("kafka.producer", e.to_string()))?;
        Ok(())
    }

    /// The configuration as TOML with secrets redacted, for logs and `--help`.
    pub fn redacted(&self) -> Config {
        let mut shown = self.clone();
        for table in [
            &mut shown.kafka.options,
            &mut shown.kafka.consumer,
            &mut shown.kafka.producer,
        ] {
            for (key, value) in table.iter_mut() {
                if is_secret(key) {
                    *value = "<redacted>".into();
                }
            }
        }
        shown
    }
}

/// librdkafka properties whose values must never be logged.
pub fn is_secret(property: &str) -> bool {
    [
        "password",
        "secret",
        "sasl.oauthbearer.config",
        "ssl.key.pem",
        "ssl_key",
        "token",
    ]
    .iter()
    .any(|s| property.contains(s))
}

/// Kafka's own rule for topic names.
fn validate_topic(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name == "." || name == ".." {
        return Err("must not be `.` or `..`".into());
    }
    if name.len() > 249 {
        return Err("is longer than 249 characters".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "`{name}` has `{bad}`; topic names take only ASCII letters, digits, `.`, `_` and `-`"
        ));
    }
    Ok(())
}

/// Deep-merges `over` into `base` (tables merge, everything else replaces).
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Table(base), Value::Table(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// Applies one `AKHBAR_A__B__C=value` override.
///
/// The value is parsed as the type the default has at that key (integer,
/// float, boolean, list of strings, string); librdkafka properties are
/// always strings. Keys with no default are left to the deserialiser, which
/// names them as unknown.
fn apply_env(
    merged: &mut Value,
    defaults: &Value,
    var: &str,
    raw: &str,
) -> Result<(), ConfigError> {
    let env_err = |message: String| ConfigError::Env {
        var: var.into(),
        message,
    };
    let parts: Vec<String> = var[ENV_PREFIX.len()..]
        .split("__")
        .map(|p| p.to_ascii_lowercase())
        .collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(env_err(
            "empty key segment; write AKHBAR_SECTION__KEY".into(),
        ));
    }
    // kafka.options.<property>: the rest of the name is one dotted property.
    let path: Vec<String> = if parts.len() >= 3
        && parts[0] == "kafka"
        && PROPERTY_TABLES.contains(&parts[1].as_str())
    {
        vec![
            parts[0].clone(),
            parts[1].clone(),
            parts[2..].join("_").replace('_', "."),
        ]
    } else {
        parts
    };
    let is_property =
        path.len() == 3 && path[0] == "kafka" && PROPERTY_TABLES.contains(&path[1].as_str());
    let default = lookup(defaults, &path);
    let value = if is_property {
        Value::String(raw.into())
    } else {
        match default {
            Some(Value::Integer(_)) => raw
                .trim()
                .parse::<i64>()
                .map(Value::Integer)
                .map_err(|_| env_err(format!("`{raw}` is not an integer")))?,
            Some(Value::Float(_)) => raw
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| env_err(format!("`{raw}` is not a number")))?,
            Some(Value::Boolean(_)) => raw
                .trim()
                .parse::<bool>()
                .map(Value::Boolean)
                .map_err(|_| env_err(format!("`{raw}` is not true or false")))?,
            Some(Value::Array(_)) => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.into()))
                    .collect(),
            ),
            Some(Value::Table(_)) => {
                return Err(env_err(format!(
                    "`{}` is a section, not a key",
                    path.join(".")
                )))
            }
            _ => Value::String(raw.into()),
        }
    };
    insert(merged, &path, value).map_err(env_err)
}

fn lookup<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.as_table()?.get(key))
}

fn insert(root: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let mut node = root;
    for (i, key) in path.iter().enumerate() {
        let table = node
            .as_table_mut()
            .ok_or_else(|| format!("`{}` is not a section", path[..i].join(".")))?;
        if i + 1 == path.len() {
            table.insert(key.clone(), value);
            return Ok(());
        }
        node = table
            .entry(key.clone())
            .or_insert_with(|| Value::Table(toml::Table::new()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn load_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::load_from(None, env(pairs))
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(load_env(&[]).unwrap(), Config::default());
    }

    #[test]
    fn the_shipped_default_file_equals_the_built_in_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/default.toml");
        assert_eq!(
            Config::load_from(Some(&path), env(&[])).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn fixed_environment_names_override_their_keys() {
        let c = load_env(&[
            ("AKHBAR_KAFKA__BROKERS", "k1:9092,k2:9092"),
            ("AKHBAR_KAFKA__GROUP_ID", "g"),
            ("AKHBAR_TOPICS__INPUT", "in"),
            ("AKHBAR_TOPICS__OUTPUT", "out"),
            ("AKHBAR_TOPICS__DEAD_LETTER", "dlq"),
        ])
        .unwrap();
        assert_eq!(c.kafka.brokers, "k1:9092,k2:9092");
        assert_eq!(c.kafka.group_id, "g");
        assert_eq!(
            (c.topics.input.as_str(), c.topics.output.as_str()),
            ("in", "out")
        );
        assert_eq!(c.topics.dead_letter, "dlq");
    }

    #[test]
    fn librdkafka_properties_come_from_the_environment_with_dots_for_underscores() {
        let c = load_env(&[("AKHBAR_KAFKA__OPTIONS__SESSION_TIMEOUT_MS", "6000")]).unwrap();
        assert_eq!(c.kafka.options["session.timeout.ms"], "6000");
    }

    #[test]
    fn a_client_override_that_breaks_the_guarantee_is_refused_at_load() {
        let err = load_env(&[("AKHBAR_KAFKA__PRODUCER__ACKS", "1")]).unwrap_err();
        assert!(err.to_string().contains("`acks` = `1`"), "{err}");
        let err =
            load_env(&[("AKHBAR_KAFKA__OPTIONS__ENABLE_AUTO_OFFSET_STORE", "true")]).unwrap_err();
        assert!(
            err.to_string().contains("enable.auto.offset.store"),
            "{err}"
        );
    }

    #[test]
    fn numeric_group_ids_stay_strings() {
        assert_eq!(
            load_env(&[("AKHBAR_KAFKA__GROUP_ID", "123")])
                .unwrap()
                .kafka
                .group_id,
            "123"
        );
    }

    #[test]
    fn environment_values_are_typed_by_their_key() {
        let c = load_env(&[
            ("AKHBAR_PIPELINE__WORKERS", "3"),
            ("AKHBAR_DEAD_LETTER__MAX_RATIO", "0.25"),
            ("AKHBAR_PIPELINE__STAGES", "id, clean"),
        ])
        .unwrap();
        assert_eq!(c.pipeline.workers, 3);
        assert_eq!(c.dead_letter.max_ratio, 0.25);
        assert_eq!(c.pipeline.stages, vec![StageKind::Id, StageKind::Clean]);
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let err = load_env(&[("AKHBAR_PIPELINE__WORKERS", "many")]).unwrap_err();
        assert!(
            err.to_string().contains("AKHBAR_PIPELINE__WORKERS"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_environment_key_is_refused_by_name() {
        let err = load_env(&[("AKHBAR_KAFKA__BROKERZ", "x:1")]).unwrap_err();
        assert!(err.to_string().contains("brokerz"), "{err}");
    }

    #[test]
    fn an_unknown_file_key_is_refused_by_name() {
        let f = file("[pipeline]\nworkerz = 2\n");
        let err = Config::load_from(Some(f.path()), env(&[])).unwrap_err();
        assert!(err.to_string().contains("workerz"), "{err}");
    }

    #[test]
    fn an_unknown_stage_is_refused() {
        let f = file("[pipeline]\nstages = [\"id\", \"telepathy\"]\n");
        let err = Config::load_from(Some(f.path()), env(&[])).unwrap_err();
        assert!(err.to_string().contains("pipeline.stages"), "{err}");
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let f = file("[kafka]\ngroup_id = \"from-file\"\n");
        let c = Config::load_from(
            Some(f.path()),
            env(&[("AKHBAR_KAFKA__GROUP_ID", "from-env")]),
        )
        .unwrap();
        assert_eq!(c.kafka.group_id, "from-env");
    }

    #[test]
    fn a_bad_topic_name_is_refused_with_its_key() {
        let err = load_env(&[("AKHBAR_TOPICS__OUTPUT", "bad topic")]).unwrap_err();
        assert!(err.to_string().contains("topics.output"), "{err}");
    }

    #[test]
    fn an_output_equal_to_the_input_is_refused() {
        assert!(load_env(&[("AKHBAR_TOPICS__OUTPUT", "news.raw")]).is_err());
    }

    #[test]
    fn an_empty_broker_list_is_refused() {
        let err = load_env(&[("AKHBAR_KAFKA__BROKERS", "")]).unwrap_err();
        assert!(err.to_string().contains("kafka.brokers"), "{err}");
    }

    #[test]
    fn a_broker_without_port_is_refused() {
        assert!(load_env(&[("AKHBAR_KAFKA__BROKERS", "kafka")]).is_err());
    }

    #[test]
    fn a_ratio_above_one_is_refused() {
        let err = load_env(&[("AKHBAR_DEAD_LETTER__MAX_RATIO", "1.5")]).unwrap_err();
        assert!(err.to_string().contains("dead_letter.max_ratio"), "{err}");
    }

    #[test]
    fn secrets_are_redacted_when_shown() {
        let c = load_env(&[("AKHBAR_KAFKA__OPTIONS__SASL_PASSWORD", "hunter2")]).unwrap();
        let shown = toml::to_string(&c.redacted()).unwrap();
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("sasl.password"));
    }
}
