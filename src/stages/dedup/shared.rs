//! The fingerprint log shared by replicas in Redis (`index = "redis"`).
//!
//! Every replica appends `(fingerprint, id)` of each article it checks to
//! one Redis stream and reads everything the others appended into its own
//! [`DedupIndex`]; lookups stay local (banded, exact, microseconds) and the
//! store moves about 40 bytes per article to each replica. The stream is
//! the log; each replica's index is a copy of its last `window_secs`.
//!
//! One Lua script does a whole exchange atomically: it returns the entries
//! after the last one this replica read and, when it has returned all of
//! them, appends this replica's entries. So when an article is appended,
//! its replica has seen every article appended before it: of two
//! near-duplicates processed at the same moment on two replicas, the later
//! in the stream is always flagged. Entries older than the window leave
//! the stream (`XADD MINID`, stream ids are arrival milliseconds), the
//! stream holds at most `capacity` entries (`XTRIM MAXLEN`), and the key
//! expires `window_secs` after the last append: the store's TTL is the
//! window.
//!
//! Store failures (unreachable, timeout, a bad reply) are errors for the
//! caller to report: the stage still checks the article against its local
//! copy (everything read until then, and its own articles), marks the
//! record, and queues the entry to be appended on the next exchange that
//! succeeds (at most [`MAX_BACKLOG`] entries; older ones are dropped and
//! counted in the error). After a failure the store is tried again at most
//! once a second, so an outage costs no timeout per article.

use super::index::DedupIndex;
use redis::{Client, Connection, Script};
use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use thiserror::Error;

/// Most entries read from the stream by one script call.
const BATCH: usize = 5_000;
/// Most own entries waiting for the store while it is unreachable.
pub const MAX_BACKLOG: usize = 10_000;
/// Pause after a failure before the store is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// Most script calls to catch up within one exchange (a replica starting
/// on a full stream of 1,000,000 entries needs 200).
const MAX_ROUNDS: usize = 1_000;

/// KEYS[1] the stream. ARGV: last id read, batch size, oldest id kept
/// (milliseconds), window in seconds, most entries kept, then pairs of
/// fingerprint and article id to append. Returns the entries read (flat:
/// id, fingerprint, article id, ...) and the ids given to the appended
/// ones (empty when more entries are waiting: call again).
const EXCHANGE: &str = r"
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
local out = {}
for _, e in ipairs(entries) do
  local f, i = '', ''
  for k = 1, #e[2], 2 do
    if e[2][k] == 'f' then f = e[2][k + 1] elseif e[2][k] == 'i' then i = e[2][k + 1] end
  end
  out[#out + 1] = e[1]; out[#out + 1] = f; out[#out + 1] = i
end
local added = {}
if #entries < tonumber(ARGV[2]) and #ARGV > 5 then
  for k = 6, #ARGV, 2 do
    added[#added + 1] = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[3], '*', 'f', ARGV[k], 'i', ARGV[k + 1])
  end
  redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[5])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
return {out, added}
";

/// Why the shared index could not be used for one article.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("shared index unreachable: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("shared index unreachable (last error: {0}); tried again at most once a second")]
    Backoff(String),
    #[error("shared index gave a malformed reply: {0}")]
    Reply(String),
    #[error("shared index still catching up after {0} reads")]
    Behind(usize),
}

/// The connection and read position of one replica in the shared log.
pub struct SharedLog {
    client: Client,
    conn: Option<Connection>,
    key: String,
    timeout: Duration,
    window_secs: u32,
    capacity: usize,
    script: Script,
    /// Stream id of the last entry read or appended ("0": none yet).
    last_id: String,
    /// Own entries not yet appended (the store was unreachable).
    backlog: VecDeque<(u64, String)>,
    dropped: u64,
    /// The last failure and when to try again.
    failed: Option<(String, Instant)>,
}

impl SharedLog {
    /// A log at `url` (`redis://[user:password@]host:port[/db]`) under
    /// `key`; connects on first use. Fails only on a malformed url.
    pub fn new(
        url: &str,
        key: &str,
        timeout: Duration,
        window_secs: u32,
        capacity: usize,
    ) -> Result<SharedLog, redis::RedisError> {
        Ok(SharedLog {
            client: Client::open(url)?,
            conn: None,
            key: key.to_string(),
            timeout,
            window_secs,
            capacity,
            script: Script::new(EXCHANGE),
            last_id: "0".into(),
            backlog: VecDeque::new(),
            dropped: 0,
            failed: None,
        })
    }

    /// Reads every entry appended since the last exchange into `index`,
    /// then appends `(fingerprint, id)` (and any backlog). Returns the
    /// arrival time of the appended entry in Unix seconds, which is the
    /// time to check it at. On error the entry joins the backlog.
    pub fn exchange(
        &mut self,
        index: &mut DedupIndex,
        fingerprint: u64,
        id: &str,
    ) -> Result<u32, StoreError> {
        self.backlog.push_back((fingerprint, id.to_string()));
        while self.backlog.len() > MAX_BACKLOG {
            self.backlog.pop_front();
            self.dropped += 1;
        }
        if let Some((error, at)) = &self.failed {
            if at.elapsed() < RETRY_AFTER {
                return Err(StoreError::Backoff(error.clone()));
            }
        }
        match self.try_exchange(index) {
            Ok(at) => {
                self.failed = None;
                Ok(at)
            }
            Err(e) => {
                // A connection in an unknown state is not reused.
                self.conn = None;
                self.failed = Some((e.to_string(), Instant::now()));
                Err(e)
            }
        }
    }

    /// Own entries waiting for the store, and those dropped from a full
    /// backlog since the start.
    pub fn backlog(&self) -> (usize, u64) {
        (self.backlog.len(), self.dropped)
    }

    /// The open connection, or a new one (a connection that failed is
    /// dropped, never put back).
    fn take_connection(&mut self) -> Result<Connection, redis::RedisError> {
        if let Some(conn) = self.conn.take() {
            return Ok(conn);
        }
        let conn = self.client.get_connection_with_timeout(self.timeout)?;
        conn.set_read_timeout(Some(self.timeout))?;
        conn.set_write_timeout(Some(self.timeout))?;
        Ok(conn)
    }

    fn try_exchange(&mut self, index: &mut DedupIndex) -> Result<u32, StoreError> {
        for _ in 0..MAX_ROUNDS {
            let now_ms = unix_millis();
            let oldest = now_ms.saturating_sub(u64::from(self.window_secs) * 1000);
            let mut conn = self.take_connection()?;
            let mut invocation = self.script.key(&self.key);
            invocation
                .arg(&self.last_id)
                .arg(BATCH)
                .arg(oldest)
                .arg(self.window_secs.max(1))
                .arg(self.capacity);
            for (fingerprint, id) in &self.backlog {
                invocation.arg(format!("{fingerprint:016x}")).arg(id);
            }
            let (read, added): (Vec<String>, Vec<String>) = invocation.invoke(&mut conn)?;
            self.conn = Some(conn);
            if read.len() % 3 != 0 {
                return Err(StoreError::Reply(format!(
                    "{} fields read, not a multiple of 3",
                    read.len()
                )));
            }
            let floor = (oldest / 1000) as u32;
            for entry in read.chunks_exact(3) {
                let at = stream_secs(&entry[0])?;
                let fingerprint = u64::from_str_radix(&entry[1], 16)
                    .map_err(|_| StoreError::Reply(format!("fingerprint {:?}", entry[1])))?;
                if at >= floor {
                    index.insert(fingerprint, &entry[2], at);
                }
                self.last_id.clone_from(&entry[0]);
            }
            if let Some(last) = added.last() {
                if added.len() != self.backlog.len() {
                    return Err(StoreError::Reply(format!(
                        "{} entries appended of {}",
                        added.len(),
                        self.backlog.len()
                    )));
                }
                self.backlog.clear();
                self.last_id.clone_from(last);
                return stream_secs(last);
            }
        }
        Err(StoreError::Behind(MAX_ROUNDS))
    }
}

/// The arrival second of a stream id (`<milliseconds>-<sequence>`).
fn stream_secs(id: &str) -> Result<u32, StoreError> {
    let ms: u64 = id
        .split('-')
        .next()
        .and_then(|ms| ms.parse().ok())
        .ok_or_else(|| StoreError::Reply(format!("stream id {id:?}")))?;
    Ok(u32::try_from(ms / 1000).unwrap_or(u32::MAX))
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Now in Unix seconds (the shared index's clock).
pub fn unix_secs() -> u32 {
    u32::try_from(unix_millis() / 1000).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_give_their_arrival_second() {
        assert_eq!(stream_secs("1700000000123-4").unwrap(), 1_700_000_000);
        assert!(stream_secs("x-1").is_err());
    }

    #[test]
    fn an_unreachable_store_is_an_error_and_the_entry_waits() {
        // Port 1 on loopback: nothing listens there.
        let mut log = SharedLog::new(
            "redis://127.0.0.1:1",
            "k",
            Duration::from_millis(200),
            60,
            100,
        )
        .unwrap();
        let mut index = DedupIndex::new(100, 60, 3);
        assert!(matches!(
            log.exchange(&mut index, 7, "a"),
            Err(StoreError::Redis(_))
        ));
        assert!(matches!(
            log.exchange(&mut index, 8, "b"),
            Err(StoreError::Backoff(_))
        ));
        assert_eq!(log.backlog(), (2, 0));
    }

    #[test]
    fn a_malformed_url_is_refused() {
        assert!(SharedLog::new("http://x", "k", Duration::from_secs(1), 60, 100).is_err());
    }
}
