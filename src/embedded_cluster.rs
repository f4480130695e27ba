//! An in-process Kafka cluster (librdkafka's mock cluster) for `demo`,
//! benchmarks and tests.
//!
//! The mock cluster speaks the real Kafka protocol on localhost ports, with
//! consumer groups and idempotent producers, but it is not `Send`: it lives
//! on its own thread and is driven through a command channel, while clients
//! connect to [`EmbeddedCluster::bootstrap_servers`].
//!
//! Like a Kafka broker, the mock cluster holds a new group's first join
//! for `group.initial.rebalance.delay.ms` (3 s by default) to gather more
//! members; [`EmbeddedCluster::start_with_rebalance_delay`] sets it, as
//! the compose file sets it to 0 for Apache Kafka.

use rdkafka::bindings as rdsys;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;
use thiserror::Error;

/// A mock cluster operation failed.
#[derive(Debug, Error)]
#[error("embedded cluster: {0}")]
pub struct ClusterError(pub String);

type Reply = mpsc::Sender<Result<(), String>>;

enum Command {
    CreateTopic(String, i32, Reply),
    BrokerDown(i32, Reply),
    BrokerUp(i32, Reply),
    RequestErrors(RDKafkaApiKey, Vec<RDKafkaRespErr>, Reply),
    ClearRequestErrors(RDKafkaApiKey, Reply),
    TopicError(String, RDKafkaRespErr, Reply),
    RoundTripTime(i32, Duration, Reply),
}

/// A running in-process cluster; stopped when dropped.
pub struct EmbeddedCluster {
    bootstrap: String,
    commands: Option<mpsc::Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddedCluster {
    /// Starts a cluster of `brokers` brokers with Kafka's default initial
    /// rebalance delay (3 s).
    pub fn start(brokers: i32) -> Result<Self, ClusterError> {
        Self::start_with_rebalance_delay(brokers, Duration::from_secs(3))
    }

    /// Starts a cluster of `brokers` brokers whose groups wait `delay`
    /// before their first assignment (the broker's
    /// `group.initial.rebalance.delay.ms`). A single consumer, as in
    /// `demo` and the benchmark, has no one to wait for.
    pub fn start_with_rebalance_delay(brokers: i32, delay: Duration) -> Result<Self, ClusterError> {
        let delay_ms = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
        let (ready_tx, ready_rx) = mpsc::channel();
        let (commands, rx) = mpsc::channel::<Command>();
        let thread = std::thread::Builder::new()
            .name("embedded-kafka".into())
            .spawn(move || {
                // A client that owns a mock cluster (`test.mock.num.brokers`):
                // unlike `MockCluster::new`, it gives access to the cluster's
                // handle for the one setting rust-rdkafka does not wrap.
                let owner: BaseProducer = match ClientConfig::new()
                    .set("test.mock.num.brokers", brokers.to_string())
                    .create()
                {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let Some(cluster) = owner.client().mock_cluster() else {
                    let _ = ready_tx.send(Err("the client has no mock cluster".into()));
                    return;
                };
                // SAFETY: `owner` is alive for this whole thread, and with it
                // the mock cluster its handle points to; the setter takes the
                // cluster's own lock.
                unsafe {
                    let handle = rdsys::rd_kafka_handle_mock_cluster(owner.client().native_ptr());
                    if !handle.is_null() {
                        rdsys::rd_kafka_mock_group_initial_rebalance_delay_ms(handle, delay_ms);
                    }
                }
                let _ = ready_tx.send(Ok(cluster.bootstrap_servers()));
                // Runs until every sender is dropped.
                for command in rx {
                    let (result, reply) = match command {
                        Command::CreateTopic(name, partitions, reply) => {
                            (cluster.create_topic(&name, partitions, 1), reply)
                        }
                        Command::BrokerDown(id, reply) => (cluster.broker_down(id), reply),
                        Command::BrokerUp(id, reply) => (cluster.broker_up(id), reply),
                        Command::RequestErrors(api, errors, reply) => {
                            cluster.request_errors(api, &errors);
                            (Ok(()), reply)
                        }
                        Command::ClearRequestErrors(api, reply) => {
                            cluster.clear_request_errors(api);
                            (Ok(()), reply)
                        }
                        Command::TopicError(topic, error, reply) => {
                            (cluster.topic_error(&topic, error), reply)
                        }
                        Command::RoundTripTime(id, delay, reply) => {
                            (cluster.broker_round_trip_time(id, delay), reply)
                        }
                    };
                    let _ = reply.send(result.map_err(|e| e.to_string()));
                }
            })
            .map_err(|e| ClusterError(e.to_string()))?;
        let bootstrap = ready_rx
            .recv()
            .map_err(|_| ClusterError("cluster thread ended before start-up".into()))?
            .map_err(ClusterError)?;
        Ok(EmbeddedCluster {
            bootstrap,
            commands: Some(commands),
            thread: Some(thread),
        })
    }

    /// `host:port,...` for clients.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap
    }

    fn call(&self, make: impl FnOnce(Reply) -> Command) -> Result<(), ClusterError> {
        let (tx, rx) = mpsc::channel();
        self.commands
            .as_ref()
            .ok_or_else(|| ClusterError("stopped".into()))?
            .send(make(tx))
            .map_err(|_| ClusterError("cluster thread is gone".into()))?;
        rx.recv()
            .map_err(|_| ClusterError("cluster thread is gone".into()))?
            .map_err(ClusterError)
    }

    /// Creates a topic with `partitions` partitions.
    pub fn create_topic(&self, name: &str, partitions: i32) -> Result<(), ClusterError> {
        self.call(|r| Command::CreateTopic(name.into(), partitions, r))
    }

    /// Takes broker `id` (1-based) down: its connections are closed.
    pub fn broker_down(&self, id: i32) -> Result<(), ClusterError> {
        self.call(|r| Command::BrokerDown(id, r))
    }

    /// Brings broker `id` back.
    pub fn broker_up(&self, id: i32) -> Result<(), ClusterError> {
        self.call(|r| Command::BrokerUp(id, r))
    }

    /// Makes the next requests of `api` fail with `errors`, one each.
    pub fn request_errors(
        &self,
        api: RDKafkaApiKey,
        errors: Vec<RDKafkaRespErr>,
    ) -> Result<(), ClusterError> {
        self.call(|r| Command::RequestErrors(api, errors, r))
    }

    /// Clears injected request errors of `api`.
    pub fn clear_request_errors(&self, api: RDKafkaApiKey) -> Result<(), ClusterError> {
        self.call(|r| Command::ClearRequestErrors(api, r))
    }

    /// Makes every request on `topic` fail with `error` (NO_ERROR clears it).
    pub fn topic_error(&self, topic: &str, error: RDKafkaRespErr) -> Result<(), ClusterError> {
        self.call(|r| Command::TopicError(topic.into(), error, r))
    }

    /// Adds latency to broker `id`'s responses.
    pub fn round_trip_time(&self, id: i32, delay: Duration) -> Result<(), ClusterError> {
        self.call(|r| Command::RoundTripTime(id, delay, r))
    }
}

impl Drop for EmbeddedCluster {
    fn drop(&mut self) {
        drop(self.commands.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
