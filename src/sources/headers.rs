//! The headers of a consumed Kafka message, read through librdkafka's C
//! API. rdkafka 0.39's `Headers::iter` unwraps the key as UTF-8 and panics
//! on any other bytes (`message.rs`, `try_get`): a producer's one bad header
//! key would kill the consumer loop and hold its partition at that offset on
//! every restart. Here a key that is not UTF-8 is kept with its bad bytes
//! replaced (U+FFFD), and the message goes through like any other.

use rdkafka::bindings as rdsys;
use rdkafka::message::BorrowedMessage;
use std::ffi::{c_char, c_void, CStr};

/// One header: its key and its value (`None`: a null value).
pub type Header = (String, Option<Vec<u8>>);

/// The message's headers in order; none if it has none.
pub fn of(message: &BorrowedMessage<'_>) -> Vec<Header> {
    let ok = rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR;
    let mut headers: *mut rdsys::rd_kafka_headers_t = std::ptr::null_mut();
    // SAFETY: `message.ptr()` is a live message for the borrow of `message`;
    // librdkafka returns headers owned by it (or an error and no headers).
    let err = unsafe { rdsys::rd_kafka_message_headers(message.ptr(), &mut headers) };
    if err != ok || headers.is_null() {
        return Vec::new();
    }
    // SAFETY: `headers` is non-null and lives as long as the message.
    let count = unsafe { rdsys::rd_kafka_header_cnt(headers) };
    (0..count)
        .filter_map(|idx| {
            let mut name: *const c_char = std::ptr::null();
            let mut value: *const c_void = std::ptr::null();
            let mut size = 0usize;
            // SAFETY: `idx` is below the count; the out pointers are valid.
            let err = unsafe {
                rdsys::rd_kafka_header_get_all(headers, idx, &mut name, &mut value, &mut size)
            };
            if err != ok || name.is_null() {
                return None;
            }
            // SAFETY: librdkafka stores header names NUL-terminated, and a
            // non-null value of `size` bytes; both live with the message.
            let key = unsafe { CStr::from_ptr(name) }
                .to_string_lossy()
                .into_owned();
            let value = (!value.is_null())
                .then(|| unsafe { std::slice::from_raw_parts(value.cast::<u8>(), size) }.to_vec());
            Some((key, value))
        })
        .collect()
}
