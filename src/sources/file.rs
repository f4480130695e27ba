//! JSON Lines input for `enrich`: one raw article per line.

use std::io::BufRead;

/// One non-blank input line with its 1-based line number.
pub struct Line {
    pub number: usize,
    pub bytes: Vec<u8>,
}

/// Iterates the non-blank lines of `reader`; read errors end the input and
/// are returned as the last item.
pub fn lines(reader: impl BufRead) -> impl Iterator<Item = std::io::Result<Line>> {
    let mut reader = reader;
    let mut number = 0;
    std::iter::from_fn(move || loop {
        let mut buf = Vec::new();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => {
                number += 1;
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(Ok(Line { number, bytes: buf }));
            }
            Err(e) => return Some(Err(e)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_and_skips_blank_ones() {
        let input = b"{\"a\":1}\r\n\n  \n{\"b\":2}";
        let got: Vec<_> = lines(&input[..]).map(|l| l.unwrap()).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].bytes, b"{\"a\":1}");
        assert_eq!(got[1].number, 4);
    }

    #[test]
    fn invalid_utf8_lines_are_passed_on_not_refused_here() {
        let got: Vec<_> = lines(&b"\xff\n"[..]).map(|l| l.unwrap()).collect();
        assert_eq!(got[0].bytes, b"\xff");
    }
}
