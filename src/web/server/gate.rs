//! The front gate of a connection: it reads each request head itself, checks
//! it, and only then passes the bytes on to hyper.
//!
//! Why a gate in front of hyper rather than hyper's own limits: hyper answers
//! a head it refuses (a URL over 64 KiB: 414, too many or too long headers:
//! 431, a malformed header line: 400) by itself, with an empty body and
//! none of our headers, and offers no hook to change that answer. So the
//! gate applies our limits (`MAX_URI`, `MAX_HEADERS`, `MAX_HEAD`, all
//! within hyper's) with `httparse`, the parser hyper itself uses, and
//! replaces a head it refuses by a request of its own that carries the
//! refusal (`REFUSAL_HEADER`): the router answers it like any refusal, with
//! the French page and the security headers, and the connection closes.
//! Since the gate reads every head, it also keeps the time limits: a head
//! must arrive within `header_timeout`, a kept-alive connection may stay
//! idle for `idle_timeout`, a request body must arrive within
//! `body_timeout`.
//!
//! To find the next head on a kept-alive connection, the gate follows each
//! body's length (`Content-Length`). A chunked body (`Transfer-Encoding`,
//! which browsers do not send) ends the gate's watch over that connection:
//! its remaining bytes go to hyper as they come, under hyper's own limits.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt, SimplexStream, WriteHalf};
use tokio::net::tcp::OwnedReadHalf;
use tokio::time::{Instant, sleep_until};

use super::Connection;

/// The header that carries a refusal from the gate to the router, on the
/// request the gate writes in place of a head it refused. A client that
/// sends it itself only gets that refusal page.
pub const REFUSAL_HEADER: &str = "chezsoi-refus";

/// Longest request target (path and query), in bytes.
pub const MAX_URI: usize = 8 * 1024;
/// Most header lines in a request.
pub const MAX_HEADERS: usize = 64;
/// Longest request head (request line and headers), in bytes.
pub const MAX_HEAD: usize = 32 * 1024;
/// After a refusal, what the gate still reads (and drops) before closing:
/// closing a socket with unread bytes resets the connection, and the client
/// could lose the refusal page.
const LINGER_BYTES: usize = 1024 * 1024;
pub(super) const LINGER_TIME: Duration = Duration::from_secs(2);

/// The time limits the gate keeps.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From the connection's start, or from a head's first byte, to the end
    /// of that head.
    pub header: Duration,
    /// How long a kept-alive connection may wait for its next request once
    /// every response was sent.
    pub idle: Duration,
    /// From the end of a head to the end of its body.
    pub body: Duration,
}

/// Why the gate refused a head: the status the router answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    MethodNotAllowed,
    UriTooLong,
    HeadTooLarge,
}

impl Refusal {
    pub fn status(self) -> u16 {
        match self {
            Refusal::Malformed => 400,
            Refusal::MethodNotAllowed => 405,
            Refusal::UriTooLong => 414,
            Refusal::HeadTooLarge => 431,
        }
    }
}

/// How the body after a head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
}

/// What checking the bytes read so far gives.
#[derive(Debug, PartialEq, Eq)]
enum Check {
    Partial,
    Head { len: usize, framing: Framing },
    Refused(Refusal),
}

/// How the gate ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The client closed its side.
    Closed,
    /// A time limit passed, the connection was evicted, or the socket
    /// failed: the connection must end now.
    Cut,
    /// A refusal was passed on and the client's remaining bytes drained.
    Refused,
    /// A chunked body: the rest of the connection goes to hyper unchecked.
    Unwatched,
}

pub struct Gate {
    client: OwnedReadHalf,
    /// What hyper reads.
    hyper: WriteHalf<SimplexStream>,
    /// Bytes read from the client, not passed on yet.
    buf: BytesMut,
    timeouts: Timeouts,
}

impl Gate {
    pub fn new(client: OwnedReadHalf, hyper: WriteHalf<SimplexStream>, timeouts: Timeouts) -> Gate {
        Gate {
            client,
            hyper,
            buf: BytesMut::with_capacity(4096),
            timeouts,
        }
    }

    /// Passes heads and bodies on until the connection ends; gives back
    /// what hyper reads from, which must stay open while a refusal is
    /// answered and be closed otherwise.
    pub async fn run(
        mut self,
        connection: &Arc<Connection>,
    ) -> (Outcome, WriteHalf<SimplexStream>) {
        let outcome = self.pass(connection).await;
        (outcome, self.hyper)
    }

    async fn pass(&mut self, connection: &Arc<Connection>) -> Outcome {
        let mut fresh = true;
        loop {
            let step = self.next_head(connection, fresh).await;
            fresh = false;
            connection.set_waiting(false);
            let (len, framing) = match step {
                Ok(Check::Head { len, framing }) => (len, framing),
                Ok(Check::Refused(refusal)) => return self.refuse(connection, refusal).await,
                Ok(Check::Partial) => unreachable!("next_head returns a verdict"),
                Err(outcome) => return outcome,
            };
            connection.request_started();
            if self.pass_on(len).await.is_err() {
                return Outcome::Cut;
            }
            match framing {
                Framing::Length(length) => {
                    if let Err(outcome) = self.pass_body(length).await {
                        return outcome;
                    }
                }
                Framing::Chunked => return self.unwatched().await,
            }
        }
    }

    /// Reads until a whole head is in `buf`, or a verdict. Until its first
    /// byte, a head may take `idle` (`header` on a fresh connection), then
    /// `header`; the clocks only run once hyper has sent every response, and
    /// the connection may be evicted meanwhile.
    async fn next_head(
        &mut self,
        connection: &Arc<Connection>,
        fresh: bool,
    ) -> Result<Check, Outcome> {
        let mut deadline: Option<Instant> = None;
        loop {
            if !self.buf.is_empty() {
                let check = check(&self.buf);
                if check != Check::Partial {
                    return Ok(check);
                }
            }
            let idle = connection.is_idle();
            if idle && deadline.is_none() {
                connection.set_waiting(true);
                let limit = if self.buf.is_empty() && !fresh {
                    self.timeouts.idle
                } else {
                    self.timeouts.header
                };
                deadline = Some(Instant::now() + limit);
            }
            let was_empty = self.buf.is_empty();
            tokio::select! {
                read = self.client.read_buf(&mut self.buf) => match read {
                    Ok(0) => return Err(Outcome::Closed),
                    Ok(_) => {
                        // The first byte of a head after an idle wait: the
                        // head now has `header` to arrive.
                        if was_empty && !fresh && idle {
                            deadline = Some(Instant::now() + self.timeouts.header);
                        }
                    }
                    Err(_) => return Err(Outcome::Cut),
                },
                () = connection.became_idle(), if !idle => {}
                () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    return Err(Outcome::Cut);
                }
                () = connection.evicted() => return Err(Outcome::Cut),
            }
        }
    }

    /// Passes the first `len` bytes of `buf` on to hyper.
    async fn pass_on(&mut self, len: usize) -> std::io::Result<()> {
        self.hyper.write_all(&self.buf[..len]).await?;
        self.buf.advance(len);
        Ok(())
    }

    /// Passes `length` bytes of body on, within `body_timeout`.
    async fn pass_body(&mut self, mut length: u64) -> Result<(), Outcome> {
        let deadline = Instant::now() + self.timeouts.body;
        loop {
            let ready = usize::try_from(length)
                .unwrap_or(usize::MAX)
                .min(self.buf.len());
            if ready > 0 {
                self.pass_on(ready).await.map_err(|_| Outcome::Cut)?;
                length -= ready as u64;
            }
            if length == 0 {
                return Ok(());
            }
            tokio::select! {
                read = self.client.read_buf(&mut self.buf) => match read {
                    Ok(0) => return Err(Outcome::Closed),
                    Ok(_) => {}
                    Err(_) => return Err(Outcome::Cut),
                },
                () = sleep_until(deadline) => return Err(Outcome::Cut),
            }
        }
    }

    /// Everything from here on goes to hyper as it comes.
    async fn unwatched(&mut self) -> Outcome {
        if self.pass_on(self.buf.len()).await.is_err() {
            return Outcome::Cut;
        }
        match tokio::io::copy(&mut self.client, &mut self.hyper).await {
            Ok(_) => Outcome::Unwatched,
            Err(_) => Outcome::Cut,
        }
    }

    /// Writes, in place of the refused head, a request that carries the
    /// refusal and closes the connection; then drains what the client still
    /// sends, for a while, so that closing does not reset the connection
    /// before the client has read the refusal page.
    async fn refuse(&mut self, connection: &Connection, refusal: Refusal) -> Outcome {
        let request = format!(
            "GET / HTTP/1.1\r\n{REFUSAL_HEADER}: {}\r\nconnection: close\r\n\r\n",
            refusal.status()
        );
        connection.request_started();
        if self.hyper.write_all(request.as_bytes()).await.is_err() {
            return Outcome::Cut;
        }
        self.buf.clear();
        let deadline = Instant::now() + LINGER_TIME;
        let mut drained = 0;
        while drained < LINGER_BYTES {
            tokio::select! {
                read = self.client.read_buf(&mut self.buf) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        drained += n;
                        self.buf.clear();
                    }
                },
                () = sleep_until(deadline) => break,
            }
        }
        Outcome::Refused
    }
}

/// Checks the bytes read so far: a complete head and how its body is
/// delimited, not enough bytes yet, or a refusal.
fn check(buf: &[u8]) -> Check {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => {
            if request.path.is_some_and(|path| path.len() > MAX_URI) {
                return Check::Refused(Refusal::UriTooLong);
            }
            if len > MAX_HEAD {
                return Check::Refused(Refusal::HeadTooLarge);
            }
            if request.method == Some("CONNECT") {
                return Check::Refused(Refusal::MethodNotAllowed);
            }
            match framing(request.version == Some(1), request.headers) {
                Some(framing) => Check::Head { len, framing },
                None => Check::Refused(Refusal::Malformed),
            }
        }
        Ok(httparse::Status::Partial) => {
            let request_line_done = buf.contains(&b'\n');
            if !request_line_done && buf.len() > MAX_URI + 32 {
                Check::Refused(Refusal::UriTooLong)
            } else if buf.len() > MAX_HEAD {
                if request.path.is_some_and(|path| path.len() > MAX_URI) || !request_line_done {
                    Check::Refused(Refusal::UriTooLong)
                } else {
                    Check::Refused(Refusal::HeadTooLarge)
                }
            } else {
                Check::Partial
            }
        }
        Err(httparse::Error::TooManyHeaders) => Check::Refused(Refusal::HeadTooLarge),
        Err(_) => Check::Refused(Refusal::Malformed),
    }
}

/// How a request's body is delimited (RFC 9112, section 6.3), as hyper
/// reads it: `Transfer-Encoding` ending in chunked (HTTP/1.1 only), else
/// the one `Content-Length` (repeated lines must agree), else no body.
/// `None` for what hyper would refuse as malformed.
fn framing(http_11: bool, headers: &[httparse::Header<'_>]) -> Option<Framing> {
    let mut transfer_encoding: Option<&[u8]> = None;
    let mut length: Option<u64> = None;
    for header in headers {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            transfer_encoding = Some(header.value);
        } else if header.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(header.value).ok()?.trim();
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let value: u64 = text.parse().ok()?;
            if length.is_some_and(|previous| previous != value) {
                return None;
            }
            length = Some(value);
        }
    }
    match transfer_encoding {
        Some(_) if !http_11 => None,
        Some(codings) => {
            let last = codings.rsplit(|&b| b == b',').next()?;
            last.trim_ascii()
                .eq_ignore_ascii_case(b"chunked")
                .then_some(Framing::Chunked)
        }
        None => Some(Framing::Length(length.unwrap_or(0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_head_gives_its_length_and_framing() {
        let head =
            b"POST /quiz/diagnostic HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nversion=abcd";
        assert_eq!(
            check(head),
            Check::Head {
                len: head.len() - 12,
                framing: Framing::Length(12)
            }
        );
        assert_eq!(check(b"GET / HTTP/1.1\r\nHost: x\r\n"), Check::Partial);
        assert_eq!(
            check(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            Check::Head {
                len: 53,
                framing: Framing::Chunked
            }
        );
    }

    #[test]
    fn refusals_follow_what_is_wrong() {
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_URI));
        assert_eq!(check(long.as_bytes()), Check::Refused(Refusal::UriTooLong));
        let unfinished = format!("GET /{}", "a".repeat(MAX_URI + 100));
        assert_eq!(
            check(unfinished.as_bytes()),
            Check::Refused(Refusal::UriTooLong)
        );
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(
            check(many.as_bytes()),
            Check::Refused(Refusal::HeadTooLarge)
        );
        let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n", "b".repeat(MAX_HEAD));
        assert_eq!(check(big.as_bytes()), Check::Refused(Refusal::HeadTooLarge));
        for malformed in [
            &b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/3.0\r\n\r\n",
        ] {
            assert_eq!(
                check(malformed),
                Check::Refused(Refusal::Malformed),
                "{}",
                String::from_utf8_lossy(malformed)
            );
        }
        assert_eq!(
            check(b"CONNECT example.org:443 HTTP/1.1\r\n\r\n"),
            Check::Refused(Refusal::MethodNotAllowed)
        );
    }
}
