//! What every accepted connection passes through before actix-http reads it:
//! request heads its parser would refuse are answered as problems.
//!
//! actix-http answers a head it cannot parse (a header value with control
//! bytes, a header name that is not a token, a head over its size limit)
//! with a bare 400 or 431 from its dispatcher, before any service or
//! middleware runs, so the answer has no problem body and no request id.
//! [`GuardedStream`] runs a second copy of actix-http's own request codec
//! over the bytes read from the socket and hands the dispatcher only what
//! that codec accepted. When a head is refused, the dispatcher is handed a
//! stand-in request for [`refused_path`] instead, with `Connection: close`,
//! and nothing more: the application answers it like any other request (a
//! problem with its code and a request id, security headers), after the
//! answers to any earlier requests on the connection, and closes.
//!
//! Because the very same parser judges the same bytes, a head the guard
//! lets through is a head the dispatcher accepts. Errors inside a body
//! (broken chunked encoding) are left to actix-http, which treats them as a
//! broken connection rather than a malformed request.

use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, ready};

use actix_codec::{AsyncRead, AsyncWrite, Decoder, ReadBuf};
use actix_http::error::ParseError;
use actix_http::h1::Codec;
use actix_http::{ServiceConfig, StatusCode};
use actix_web::HttpResponse;
use bytes::BytesMut;

use crate::problem::Problem;

/// Where the stand-in request for a refused head goes, under a path no
/// client can guess (a random segment chosen per process), so the route
/// answers only requests the guard made up.
pub fn refused_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        format!(
            "/.tierlink/refused/{}",
            hex::encode(rand::random::<[u8; 16]>())
        )
    })
}

/// How far the guard has got on one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Every byte goes through the shadow codec first.
    Checking,
    /// A body turned out broken: the remaining bytes go to actix-http as
    /// they come, and it deals with them as it always has.
    PassingThrough,
    /// A head was refused and the stand-in handed over: nothing more is read.
    Refused,
}

/// A connection whose request heads are checked before actix-http sees them.
pub struct GuardedStream<IO> {
    io: IO,
    shadow: Codec,
    state: State,
    /// Bytes read and not yet judged, as the shadow codec consumes them.
    parsing: BytesMut,
    /// The same bytes, verbatim (the codec strips chunk framing from what
    /// it returns, so what it consumed is measured on `parsing` and taken
    /// from here).
    unjudged: BytesMut,
    /// Bytes judged acceptable, waiting for the dispatcher to read them.
    accepted: BytesMut,
}

impl<IO> std::fmt::Debug for GuardedStream<IO> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedStream")
            .field("state", &self.state)
            .field("held", &self.unjudged.len())
            .finish_non_exhaustive()
    }
}

impl<IO> GuardedStream<IO> {
    /// `config` is shared by a worker's connections (it runs a clock task).
    pub fn new(io: IO, config: ServiceConfig) -> Self {
        Self {
            io,
            shadow: Codec::new(config),
            state: State::Checking,
            parsing: BytesMut::new(),
            unjudged: BytesMut::new(),
            accepted: BytesMut::new(),
        }
    }

    /// Judges what has arrived: moves every complete, parseable message
    /// (and every part of a body) to `accepted`, and on a refused head puts
    /// the stand-in there instead of it.
    fn judge(&mut self, arrived: &[u8]) {
        match self.state {
            State::Refused => return,
            State::PassingThrough => {
                self.accepted.extend_from_slice(arrived);
                return;
            }
            State::Checking => {}
        }
        self.parsing.extend_from_slice(arrived);
        self.unjudged.extend_from_slice(arrived);
        loop {
            let before = self.parsing.len();
            let outcome = self.shadow.decode(&mut self.parsing);
            let consumed = before - self.parsing.len();
            let judged = self.unjudged.split_to(consumed);
            self.accepted.extend_from_slice(&judged);
            match outcome {
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(ParseError::Io(_)) => {
                    self.state = State::PassingThrough;
                    self.accepted.extend_from_slice(&self.unjudged.split());
                    self.parsing.clear();
                    return;
                }
                Err(refusal) => {
                    let status = if matches!(refusal, ParseError::TooLarge) {
                        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
                    } else {
                        StatusCode::BAD_REQUEST
                    };
                    self.state = State::Refused;
                    self.accepted.extend_from_slice(
                        format!(
                            "GET {}/{} HTTP/1.1\r\nhost: tierlink\r\nconnection: close\r\n\r\n",
                            refused_path(),
                            status.as_u16()
                        )
                        .as_bytes(),
                    );
                    self.parsing.clear();
                    self.unjudged.clear();
                    return;
                }
            }
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for GuardedStream<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.accepted.is_empty() {
                let n = buf.remaining().min(this.accepted.len());
                buf.put_slice(&this.accepted.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if this.state == State::Refused {
                // The stand-in asked to close the connection: the dispatcher
                // answers it and shuts down without reading again.
                return Poll::Pending;
            }
            let mut scratch = [0u8; 16 * 1024];
            let mut read = ReadBuf::new(&mut scratch);
            ready!(Pin::new(&mut this.io).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                // End of stream; an unfinished head is dropped with it, as
                // the dispatcher would drop it.
                return Poll::Ready(Ok(()));
            }
            this.judge(read.filled());
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for GuardedStream<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// The application's answer to a stand-in: the problem actix-http's bare
/// status would have been.
pub async fn refused(status: actix_web::web::Path<u16>) -> HttpResponse {
    match StatusCode::from_u16(status.into_inner()) {
        Ok(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE) => Problem::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "Request header fields too large",
            Some("The request line and headers together exceed the server's limit.".to_owned()),
        )
        .to_response(),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "Malformed request",
            Some(
                "The request line or a header could not be parsed: header names must be \
                 tokens, and header values may not contain control characters other than tab."
                    .to_owned(),
            ),
        )
        .to_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(chunks: &[&[u8]]) -> (Vec<u8>, State) {
        let mut stream = GuardedStream::new((), ServiceConfig::default());
        let mut out = Vec::new();
        for chunk in chunks {
            stream.judge(chunk);
            out.extend_from_slice(&stream.accepted.split());
        }
        (out, stream.state)
    }

    #[actix_web::test]
    async fn well_formed_requests_pass_byte_for_byte_whatever_the_split() {
        let requests: &[u8] =
            b"POST /v1/x HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n\
            4\r\nabcd\r\n0\r\n\r\n\
            PUT /v1/y HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\nxyz\
            GET /v1/z HTTP/1.1\r\nhost: a\r\n\r\n";
        for split in 1..requests.len() {
            let (out, state) = judged(&[&requests[..split], &requests[split..]]);
            assert_eq!(out, requests, "split at {split}");
            assert_eq!(state, State::Checking);
        }
    }

    #[actix_web::test]
    async fn an_unfinished_head_is_held_back() {
        let (out, _) = judged(&[b"GET /v1/z HTTP/1.1\r\nhost: a\r\n"]);
        assert!(out.is_empty());
    }

    #[actix_web::test]
    async fn a_control_byte_in_a_header_turns_the_head_into_the_stand_in() {
        let first: &[u8] = b"GET /v1/a HTTP/1.1\r\nhost: a\r\n\r\n";
        let bad: &[u8] = b"GET /v1/b HTTP/1.1\r\nhost: a\r\nx-note: a\x01b\r\n\r\n";
        let (out, state) = judged(&[first, &bad[..30], &bad[30..], b"GET /v1/c HTTP/1.1\r\n\r\n"]);
        let expected = format!(
            "GET /v1/a HTTP/1.1\r\nhost: a\r\n\r\nGET {}/400 HTTP/1.1\r\nhost: tierlink\r\nconnection: close\r\n\r\n",
            refused_path()
        );
        assert_eq!(String::from_utf8(out).expect("text"), expected);
        assert_eq!(state, State::Refused);
    }

    #[actix_web::test]
    async fn an_oversized_head_becomes_a_431_stand_in() {
        let mut head = b"GET /v1/a HTTP/1.1\r\nx-big: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', 200 * 1024));
        let (out, state) = judged(&[&head]);
        assert!(
            String::from_utf8(out)
                .expect("text")
                .contains("/431 HTTP/1.1")
        );
        assert_eq!(state, State::Refused);
    }

    #[actix_web::test]
    async fn a_broken_body_is_left_to_actix_http() {
        let bytes: &[u8] =
            b"POST /v1/x HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nrest";
        let (out, state) = judged(&[bytes]);
        assert_eq!(out, bytes);
        assert_eq!(state, State::PassingThrough);
    }
}
