//! A private Mosquitto for the transport tests (installed by scripts/setup.sh), and a fake
//! broker for what Mosquitto cannot show (which packets arrived, from which address).
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use devclient::{Packet, Reader, Writer};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

/// Every wait in these tests ends at a deadline.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A Mosquitto on a free loopback port, killed when dropped.
pub struct Mosquitto {
    pub addr: SocketAddr,
    _child: Child,
}

fn mosquitto_bin() -> String {
    std::env::var("FLEETDECK_MOSQUITTO").unwrap_or_else(|_| "/usr/sbin/mosquitto".into())
}

impl Mosquitto {
    /// Start it and wait (bounded) for its "running" line: no guessing with sleeps.
    pub async fn start() -> Mosquitto {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(mosquitto_bin())
            .args(["-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("mosquitto (scripts/setup.sh installs it)");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let ready = tokio::time::timeout(DEADLINE, async {
            while let Ok(Some(l)) = lines.next_line().await {
                // Not "… clients running on this machine", printed before the listener opens.
                if l.contains("mosquitto version") && l.ends_with(" running") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "mosquitto did not start on port {port}");
        // Keep draining its log so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Mosquitto { addr: ([127, 0, 0, 1], port).into(), _child: child }
    }
}

/// A broker that accepts one connection, answers its CONNECT with `code`, and then hands the
/// connection to the test.
pub struct FakeBroker {
    pub addr: SocketAddr,
    listener: TcpListener,
}

pub struct Accepted {
    pub peer: SocketAddr,
    pub connect: Packet,
    pub rd: Reader,
    pub wr: Writer,
}

impl FakeBroker {
    pub async fn bind() -> FakeBroker {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        FakeBroker { addr: listener.local_addr().unwrap(), listener }
    }

    pub async fn accept(&self, code: u8) -> Accepted {
        let (s, peer) = tokio::time::timeout(DEADLINE, self.listener.accept()).await.unwrap().unwrap();
        let (rd, wr) = s.into_split();
        let (mut rd, mut wr) = (Reader::new(rd), Writer::new(wr));
        let connect = next(&mut rd).await.expect("CONNECT");
        wr.raw(&[0x20, 0x02, 0x00, code]);
        wr.flush().await.unwrap();
        Accepted { peer, connect, rd, wr }
    }
}

/// The next packet within the deadline; `None` = the client closed the connection.
pub async fn next(rd: &mut Reader) -> Option<Packet> {
    tokio::time::timeout(DEADLINE, rd.next()).await.expect("nothing from the client in time").unwrap()
}
