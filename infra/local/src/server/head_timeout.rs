//! Slow-client defence for axum's own accept loop: a [`Listener`] whose connections must
//! deliver each request head (up to the blank line) within a deadline that starts when the
//! connection opens and again after each answer. A client that sends half a head and waits
//! is dropped; one that has sent its head may take its time over the body (the request
//! timeout covers that). axum's `serve` does not expose hyper's `header_read_timeout`.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// A TCP listener whose connections enforce the head deadline.
pub struct Listener {
    inner: TcpListener,
    timeout: Duration,
}

impl Listener {
    /// `inner`, with `timeout` to send each request head.
    pub fn new(inner: TcpListener, timeout: Duration) -> Self {
        Self { inner, timeout }
    }
}

impl axum::serve::Listener for Listener {
    type Io = HeadDeadline<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (HeadDeadline::new(stream, self.timeout), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// The client's address, as handlers see it (`ConnectInfo<Peer>`).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Listener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, Listener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// A connection that fails its reads once the current request head is overdue.
pub struct HeadDeadline<S> {
    inner: S,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    /// How much of `\r\n\r\n` the bytes read so far end with; `None` once the head is in.
    matched: Option<u8>,
}

impl<S> HeadDeadline<S> {
    fn new(inner: S, timeout: Duration) -> Self {
        Self { inner, timeout, deadline: Box::pin(tokio::time::sleep(timeout)), matched: Some(0) }
    }

    /// Follows `bytes` through the end-of-head marker; true once it is complete.
    fn head_complete(&mut self, bytes: &[u8]) -> bool {
        let Some(mut matched) = self.matched else { return true };
        for &byte in bytes {
            matched = match (matched, byte) {
                (0 | 2, b'\r') => matched + 1,
                (1 | 3, b'\n') => matched + 1,
                (_, b'\r') => 1,
                _ => 0,
            };
            if matched == 4 {
                self.matched = None;
                return true;
            }
        }
        self.matched = Some(matched);
        false
    }

    /// An answer is going out: the next request head has a fresh deadline.
    fn answering(&mut self) {
        if self.matched.is_none() {
            self.matched = Some(0);
            self.deadline.as_mut().reset(Instant::now() + self.timeout);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadDeadline<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.matched.is_some() && this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "request head not sent in time")));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.head_complete(&buf.filled()[before..]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadDeadline<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.answering();
        Pin::new(&mut this.inner).poll_write(cx, bytes)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.answering();
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_head_ends_at_the_first_blank_line_even_across_reads() {
        let mut connection = HeadDeadline::new((), Duration::from_secs(1));
        assert!(!connection.head_complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r"));
        assert!(connection.head_complete(b"\n"));
        connection.matched = Some(0);
        assert!(!connection.head_complete(b"GET / HTTP/1.1\r\r\n"));
        assert!(connection.head_complete(b"\r\nbody"));
    }
}
