//! librdkafka client settings: the project's defaults, then the user's.
//!
//! Defaults that the delivery guarantee depends on (manual offset store,
//! idempotent producer, `acks=all`) are set here; `kafka.options`,
//! `kafka.consumer` and `kafka.producer` may override anything, and the
//! guarantee-bearing ones are checked after the merge.

use crate::config::KafkaConfig;
use rdkafka::ClientConfig;
use thiserror::Error;

/// A user override that would break the delivery guarantee.
#[derive(Debug, Error)]
#[error("kafka property `{property}` = `{value}` is not allowed: {why}")]
pub struct ClientConfigError {
    pub property: String,
    pub value: String,
    pub why: &'static str,
}

const CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    ("partition.assignment.strategy", "cooperative-sticky"),
    ("enable.auto.commit", "true"),
    ("auto.commit.interval.ms", "5000"),
    // Offsets are stored by the pipeline once output is acknowledged.
    ("enable.auto.offset.store", "false"),
    ("auto.offset.reset", "earliest"),
    ("isolation.level", "read_committed"),
    // Cap prefetch: the local queue holds at most this much.
    ("queued.max.messages.kbytes", "16384"),
    ("queued.min.messages", "1000"),
    // Past queued.min.messages librdkafka stops fetching a partition for this
    // long (its default is 1000 ms). The pipeline bounds what it takes with
    // pause/resume, so a long backoff only starves workers after a resume.
    ("fetch.queue.backoff.ms", "20"),
    // A resumed partition refetches; a short long-poll keeps that quick.
    ("fetch.wait.max.ms", "100"),
    ("statistics.interval.ms", "5000"),
];

const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    ("enable.idempotence", "true"),
    ("acks", "all"),
    ("compression.type", "lz4"),
    ("linger.ms", "5"),
    ("message.timeout.ms", "30000"),
];

/// Consumer settings.
pub fn consumer_config(kafka: &KafkaConfig) -> Result<ClientConfig, ClientConfigError> {
    let mut config = base(kafka, CONSUMER_DEFAULTS);
    config.set("group.id", &kafka.group_id);
    for (k, v) in &kafka.consumer {
        config.set(k, v);
    }
    forbid(
        &config,
        "enable.auto.offset.store",
        "true",
        "offsets must only be stored past finished work",
    )?;
    Ok(config)
}

/// Producer settings.
pub fn producer_config(kafka: &KafkaConfig) -> Result<ClientConfig, ClientConfigError> {
    let mut config = base(kafka, PRODUCER_DEFAULTS);
    for (k, v) in &kafka.producer {
        config.set(k, v);
    }
    for (property, value) in [
        ("acks", "0"),
        ("acks", "1"),
        ("enable.idempotence", "false"),
    ] {
        forbid(
            &config,
            property,
            value,
            "records must be acknowledged by all in-sync replicas before their offsets move",
        )?;
    }
    Ok(config)
}

/// Producer settings for exactly-once mode: `producer_config` plus a
/// `transactional.id`.
pub fn transactional_producer_config(
    kafka: &KafkaConfig,
    transactional_id: &str,
) -> Result<ClientConfig, ClientConfigError> {
    let mut config = producer_config(kafka)?;
    config.set("transactional.id", transactional_id);
    Ok(config)
}

fn base(kafka: &KafkaConfig, defaults: &[(&str, &str)]) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &kafka.brokers);
    config.set("client.id", client_id());
    for (k, v) in defaults {
        config.set(*k, *v);
    }
    for (k, v) in &kafka.options {
        config.set(k, v);
    }
    config
}

fn forbid(
    config: &ClientConfig,
    property: &str,
    value: &'static str,
    why: &'static str,
) -> Result<(), ClientConfigError> {
    match config.get(property) {
        Some(v) if v.eq_ignore_ascii_case(value) => Err(ClientConfigError {
            property: property.into(),
            value: v.into(),
            why,
        }),
        _ => Ok(()),
    }
}

/// `akhbar-<hostname>`, so brokers can tell replicas apart.
fn client_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "local".into());
    format!("akhbar-{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consumer_stores_offsets_manually_and_uses_cooperative_sticky() {
        let c = consumer_config(&KafkaConfig::default()).unwrap();
        assert_eq!(c.get("enable.auto.offset.store"), Some("false"));
        assert_eq!(
            c.get("partition.assignment.strategy"),
            Some("cooperative-sticky")
        );
        assert_eq!(c.get("group.id"), Some("akhbar"));
    }

    #[test]
    fn a_full_local_queue_pauses_fetching_briefly_not_for_a_second() {
        let c = consumer_config(&KafkaConfig::default()).unwrap();
        let backoff: u64 = c.get("fetch.queue.backoff.ms").unwrap().parse().unwrap();
        assert!(backoff <= 50, "fetch.queue.backoff.ms = {backoff}");
    }

    #[test]
    fn the_producer_is_idempotent_with_acks_all() {
        let c = producer_config(&KafkaConfig::default()).unwrap();
        assert_eq!(c.get("enable.idempotence"), Some("true"));
        assert_eq!(c.get("acks"), Some("all"));
    }

    #[test]
    fn user_options_override_defaults() {
        let mut k = KafkaConfig::default();
        k.options.insert("session.timeout.ms".into(), "6000".into());
        k.consumer
            .insert("queued.max.messages.kbytes".into(), "1024".into());
        let c = consumer_config(&k).unwrap();
        assert_eq!(c.get("session.timeout.ms"), Some("6000"));
        assert_eq!(c.get("queued.max.messages.kbytes"), Some("1024"));
    }

    #[test]
    fn overrides_that_would_lose_messages_are_refused() {
        let mut k = KafkaConfig::default();
        k.producer.insert("acks".into(), "1".into());
        assert!(producer_config(&k).is_err());
        let mut k = KafkaConfig::default();
        k.consumer
            .insert("enable.auto.offset.store".into(), "true".into());
        assert!(consumer_config(&k).is_err());
    }
}
