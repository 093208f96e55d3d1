//! A TCP relay on loopback that counts the connections made through it, to
//! check how many a client opens, and can cut them all, to check how a
//! client rides out a dropped connection.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// Forwards every connection to `target`, byte for byte, both ways.
#[derive(Debug, Clone)]
pub struct CountingRelay {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl CountingRelay {
    /// Starts the relay on a free loopback port; it runs until the process
    /// ends.
    pub fn start(target: SocketAddr) -> CountingRelay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let relay = CountingRelay {
            addr: listener.local_addr().expect("relay address"),
            accepted: Arc::default(),
            open: Arc::default(),
        };
        let accepted = relay.accepted.clone();
        let open = relay.open.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                accepted.fetch_add(1, Ordering::SeqCst);
                if let (Ok(mut open), Ok(copy)) = (open.lock(), client.try_clone()) {
                    open.push(copy);
                }
                thread::spawn(move || {
                    let _ = relay_one(client, target);
                });
            }
        });
        relay
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Cuts every connection made so far (both ways, as a network failure
    /// would); new ones are relayed as before.
    pub fn sever(&self) {
        if let Ok(mut open) = self.open.lock() {
            for stream in open.drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn relay_one(client: TcpStream, target: SocketAddr) -> io::Result<()> {
    let server = TcpStream::connect(target)?;
    let (mut client_in, mut server_out) = (client.try_clone()?, server.try_clone()?);
    let upstream = thread::spawn(move || {
        let _ = io::copy(&mut client_in, &mut server_out);
        let _ = server_out.shutdown(Shutdown::Write);
    });
    let (mut server_in, mut client_out) = (server, client);
    let _ = io::copy(&mut server_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Write);
    let _ = upstream.join();
    Ok(())
}
