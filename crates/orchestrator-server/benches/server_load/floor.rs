//! `--floor`: the held long polls of phase 2 against the least an HTTP/1.1
//! server on hyper and tokio must do to answer them — no routing, no
//! middleware, no store, no fsync: a map of tasks, each a `watch` that a
//! `DELETE` flips. Its wake-up time is what any server built like ours gets
//! on the same machine, so the gap to it is the price of our own work.
//!
//! It runs as this bench binary started again with `--floor-server`, a
//! process of its own as the real server is, and it announces itself the
//! way the real server does, so the same harness drives both.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::watch;

/// Whether this process was started as the floor server.
pub(crate) fn requested() -> bool {
    std::env::args().any(|a| a == "--floor-server")
}

#[derive(Default)]
struct Tasks {
    next: AtomicU64,
    done: Mutex<HashMap<String, watch::Sender<bool>>>,
}

/// Serves on `--listen` until killed.
pub(crate) async fn serve() {
    let args: Vec<String> = std::env::args().collect();
    let listen = args
        .iter()
        .position(|a| a == "--listen")
        .and_then(|i| args.get(i + 1))
        .map_or("127.0.0.1:0", String::as_str);
    // The real server's backlog: 2,000 connects at once overflow tokio's
    // default of 1,024, and a dropped connect is retried a second later.
    let address: std::net::SocketAddr = listen.parse().expect("a socket address");
    let socket = if address.is_ipv6() {
        tokio::net::TcpSocket::new_v6()
    } else {
        tokio::net::TcpSocket::new_v4()
    }
    .expect("a socket");
    socket.bind(address).expect("bind the floor server");
    let listener = socket.listen(4096).expect("listen");
    let address = listener.local_addr().expect("a bound address");
    eprintln!("orchestrator-server listening on http://{address}");
    let tasks = Arc::new(Tasks::default());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stream.set_nodelay(true).ok();
        let tasks = tasks.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let tasks = tasks.clone();
                async move { Ok::<_, Infallible>(answer(&tasks, request).await) }
            });
            hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
                .ok();
        });
    }
}

async fn answer(tasks: &Tasks, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    let id = path
        .strip_prefix("/v1/tasks/")
        .unwrap_or_default()
        .to_owned();
    let reply = |status: StatusCode, body: String| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .expect("a response")
    };
    match *request.method() {
        Method::POST => {
            let id = format!("t-{}", tasks.next.fetch_add(1, Ordering::Relaxed));
            tasks
                .done
                .lock()
                .expect("tasks")
                .insert(id.clone(), watch::channel(false).0);
            let mut response = reply(
                StatusCode::ACCEPTED,
                format!(r#"{{"task_id":"{id}","status":"PENDING"}}"#),
            );
            let location = format!("/v1/tasks/{id}").parse().expect("a location");
            response.headers_mut().insert("location", location);
            response
        }
        Method::GET => {
            let waiting = request.headers().contains_key("prefer");
            let done = tasks
                .done
                .lock()
                .expect("tasks")
                .get(&id)
                .map(|d| d.subscribe());
            let Some(mut done) = done else {
                return reply(StatusCode::NOT_FOUND, "{}".into());
            };
            if waiting {
                done.wait_for(|done| *done).await.ok();
            }
            let status = if *done.borrow() {
                "CANCELLED"
            } else {
                "PENDING"
            };
            reply(
                StatusCode::OK,
                format!(r#"{{"task_id":"{id}","status":"{status}"}}"#),
            )
        }
        Method::DELETE => {
            if let Some(done) = tasks.done.lock().expect("tasks").get(&id) {
                done.send_replace(true);
            }
            reply(
                StatusCode::OK,
                format!(r#"{{"task_id":"{id}","status":"CANCELLED"}}"#),
            )
        }
        _ => reply(StatusCode::METHOD_NOT_ALLOWED, "{}".into()),
    }
}
