//! Driving the pipeline from outside, with real Kafka clients: a producer
//! for raw messages and a reader for the output and dead-letter topics.
//! Used by `demo`, `bench` and the integration tests (driver and verifier).

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use thiserror::Error;

/// A harness client failed.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct HarnessError(pub String);

/// One record read back.
#[derive(Debug, Clone)]
pub struct ReadRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: HashMap<String, String>,
    /// Broker or producer timestamp, milliseconds since the epoch.
    pub timestamp_ms: Option<i64>,
}

impl ReadRecord {
    /// The payload as JSON, when it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.payload).ok()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Creates `topics` (name, partitions; one replica) on `brokers`; those that
/// exist already are left as they are.
pub async fn create_topics(brokers: &str, topics: &[(&str, i32)]) -> Result<(), HarnessError> {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::types::RDKafkaErrorCode;
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .map_err(|e| HarnessError(format!("admin client: {e}")))?;
    let topics: Vec<NewTopic> = topics
        .iter()
        .map(|(name, partitions)| NewTopic::new(name, *partitions, TopicReplication::Fixed(1)))
        .collect();
    let results = admin
        .create_topics(&topics, &AdminOptions::new())
        .await
        .map_err(|e| HarnessError(format!("create topics: {e}")))?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, e)) => return Err(HarnessError(format!("cannot create {topic}: {e}"))),
        }
    }
    Ok(())
}

/// Produces `messages` (key, value) to `topic` and waits for every ack.
pub async fn produce(
    brokers: &str,
    topic: &str,
    messages: impl IntoIterator<Item = (Option<Vec<u8>>, Vec<u8>)>,
) -> Result<usize, HarnessError> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("message.max.bytes", "100000000")
        .set("message.timeout.ms", "60000")
        .create()
        .map_err(|e| HarnessError(format!("producer: {e}")))?;
    let sends = messages.into_iter().map(|(key, value)| {
        let producer = &producer;
        async move {
            let mut record = FutureRecord::to(topic).payload(&value);
            if let Some(k) = &key {
                record = record.key(k);
            }
            producer
                .send(record, Timeout::After(Duration::from_secs(30)))
                .await
                .map_err(|(e, _)| HarnessError(format!("produce to {topic}: {e}")))
        }
    });
    let results = futures::future::join_all(sends).await;
    let count = results.len();
    results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(count)
}

/// Reads `topics` (name, partition count) from the beginning until `until`
/// says enough or `timeout` passes; returns what was read.
pub fn read_topics(
    brokers: &str,
    topics: &[(&str, i32)],
    timeout: Duration,
    mut until: impl FnMut(&[ReadRecord]) -> bool,
) -> Result<Vec<ReadRecord>, HarnessError> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "akhbar-harness-reader")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .set("fetch.max.bytes", "100000000")
        .set("isolation.level", "read_committed")
        .create()
        .map_err(|e| HarnessError(format!("reader: {e}")))?;
    let mut tpl = TopicPartitionList::new();
    for (topic, partitions) in topics {
        for p in 0..*partitions {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .map_err(|e| HarnessError(e.to_string()))?;
        }
    }
    consumer
        .assign(&tpl)
        .map_err(|e| HarnessError(format!("assign: {e}")))?;
    let deadline = Instant::now() + timeout;
    let mut out = Vec::new();
    while !until(&out) && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(ReadRecord {
                topic: m.topic().to_string(),
                partition: m.partition(),
                offset: m.offset(),
                key: m.key().map(<[u8]>::to_vec),
                payload: m.payload().unwrap_or_default().to_vec(),
                headers: m
                    .headers()
                    .map(|hs| {
                        hs.iter()
                            .map(|h| {
                                let v = h.value.map(|v| String::from_utf8_lossy(v).into_owned());
                                (h.key.to_string(), v.unwrap_or_default())
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                timestamp_ms: m.timestamp().to_millis(),
            });
        }
    }
    Ok(out)
}
