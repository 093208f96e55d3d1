//! A forward proxy on loopback that tunnels `CONNECT` and writes down the
//! head of every request it receives, to check what a client shows a proxy.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// A loopback `CONNECT` proxy. Plain (absolute-form) requests are answered
/// `502`, so a client that should have tunnelled but did not fails loudly.
#[derive(Debug, Clone)]
pub struct ConnectProxy {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    /// Starts the proxy on a free loopback port; it runs until the process
    /// ends.
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let proxy = ConnectProxy {
            addr: listener.local_addr().expect("proxy address"),
            heads: Arc::default(),
        };
        let heads = proxy.heads.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let heads = heads.clone();
                thread::spawn(move || {
                    let _ = serve(client, &heads);
                });
            }
        });
        proxy
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request head received so far (request line and headers).
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

fn serve(client: TcpStream, heads: &Mutex<Vec<String>>) -> io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    if let Ok(mut h) = heads.lock() {
        h.push(head.clone());
    }
    let mut client = client;
    let target = match head.strip_prefix("CONNECT ") {
        Some(rest) => rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        None => {
            client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")?;
            return Ok(());
        }
    };
    let upstream = match TcpStream::connect(&target) {
        Ok(s) => s,
        Err(_) => {
            client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")?;
            return Ok(());
        }
    };
    client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?;
    // Anything the client sent after the head is already in `reader`.
    let buffered = reader.buffer().to_vec();
    let mut up_writer = upstream.try_clone()?;
    up_writer.write_all(&buffered)?;
    let mut down_reader = upstream;
    let mut down_writer = client.try_clone()?;
    let down = thread::spawn(move || io::copy(&mut down_reader, &mut down_writer));
    let mut up_reader = reader.into_inner();
    let _ = io::copy(&mut up_reader, &mut up_writer);
    let _ = up_writer.shutdown(std::net::Shutdown::Write);
    let _ = down.join();
    Ok(())
}
