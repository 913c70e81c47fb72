//! The MQTT transport against a real Mosquitto (and a fake broker where Mosquitto cannot show
//! what arrived): CONNACK codes as values, MQTT 3.1, PUBACK tracking, SUBACK codes, the inbox,
//! pings, graceful DISCONNECT vs a dropped socket, takeover, source addresses, fleets.

mod support;

use std::time::Duration;

use devclient::{
    connect_all, handshake, source_ip, Client, Closed, ConnackCode, ConnectOptions, Error, Packet, Protocol, QoS,
    SubscribeReasonCode,
};
use support::{next, FakeBroker, Mosquitto, DEADLINE};

#[tokio::test]
async fn qos1_publish_waits_for_its_puback_and_reaches_a_subscriber() {
    let m = Mosquitto::start().await;
    let mut sub = Client::connect(m.addr, &ConnectOptions::new("sub")).await.unwrap();
    let codes = sub.subscribe("/sys/pk/+/thing/#", QoS::AtLeastOnce).await.unwrap();
    assert_eq!(codes, vec![SubscribeReasonCode::Success(QoS::AtLeastOnce)]);
    let publisher = Client::connect(m.addr, &ConnectOptions::new("pub")).await.unwrap();
    for i in 0..50 {
        let topic = format!("/sys/pk/dev{i}/thing/event/property/post");
        tokio::time::timeout(DEADLINE, publisher.publish(&topic, QoS::AtLeastOnce, format!("{i}")))
            .await
            .unwrap()
            .unwrap();
    }
    publisher.publish("/sys/pk/x/thing/q0", QoS::AtMostOnce, "qos0").await.unwrap();
    for i in 0..50 {
        let msg = sub.recv_within(DEADLINE).await.expect("delivered");
        assert_eq!(
            (msg.topic, &msg.payload[..], msg.qos),
            (format!("/sys/pk/dev{i}/thing/event/property/post"), format!("{i}").as_bytes(), QoS::AtLeastOnce)
        );
    }
    let last = sub.recv_on("/q0", DEADLINE).await.expect("qos 0 delivered");
    assert_eq!(&last.payload[..], b"qos0");
    assert_eq!(sub.dropped_messages(), 0);
}

#[tokio::test]
async fn a_refusal_is_a_connack_code_value() {
    let m = Mosquitto::start().await;
    // MQTT 3.1.1: an empty clientId must ask for a clean session, else identifier rejected.
    let o = ConnectOptions { clean_session: false, ..ConnectOptions::new("") };
    let h = handshake(m.addr, &o).await.unwrap();
    assert_eq!(h.code(), ConnackCode::ClientIdRejected);
    assert_eq!(h.code().as_u8(), 2);
    let err = Client::connect(m.addr, &o).await.err().expect("refused");
    assert_eq!(err.refused(), Some(ConnackCode::ClientIdRejected));
    let ok = handshake(m.addr, &ConnectOptions::new("fine")).await.unwrap();
    assert_eq!(ok.code(), ConnackCode::Accepted);
}

#[tokio::test]
async fn mqtt_3_1_is_spoken() {
    let m = Mosquitto::start().await;
    let o = ConnectOptions { protocol: Protocol::V31, ..ConnectOptions::new("v31-client").login("u", "p") };
    let mut c = Client::connect(m.addr, &o).await.expect("MQTT 3.1 accepted");
    c.subscribe("t", QoS::AtMostOnce).await.unwrap();
    c.publish("t", QoS::AtLeastOnce, "over 3.1").await.unwrap();
    assert_eq!(&c.recv_within(DEADLINE).await.unwrap().payload[..], b"over 3.1");
}

#[tokio::test]
async fn graceful_disconnect_sends_disconnect_and_dropping_does_not() {
    let broker = FakeBroker::bind().await;
    let o = ConnectOptions::new("a");
    let (client, mut srv) = tokio::join!(Client::connect(broker.addr, &o), broker.accept(0));
    let client = client.unwrap();
    assert!(matches!(&srv.connect, Packet::Connect(c) if c.client_id == "a"));
    client.disconnect().await;
    assert_eq!(next(&mut srv.rd).await, Some(Packet::Disconnect));
    assert_eq!(next(&mut srv.rd).await, None, "then the socket closes");

    let o = ConnectOptions::new("b");
    let (client, mut srv) = tokio::join!(Client::connect(broker.addr, &o), broker.accept(0));
    client.unwrap().drop_connection();
    assert_eq!(next(&mut srv.rd).await, None, "EOF without DISCONNECT");

    // Dropping the handle is the same as dropping the connection.
    let o = ConnectOptions::new("c");
    let (client, mut srv) = tokio::join!(Client::connect(broker.addr, &o), broker.accept(0));
    drop(client.unwrap());
    assert_eq!(next(&mut srv.rd).await, None);
}

#[tokio::test]
async fn pings_every_half_keepalive_unless_told_to_stay_silent() {
    let broker = FakeBroker::bind().await;
    let o = ConnectOptions { keep_alive: 1, ..ConnectOptions::new("silent") };
    let silent = devclient::Behaviour { ping: false, ..Default::default() };
    let (quiet, mut quiet_srv) = tokio::join!(Client::connect_with(broker.addr, &o, silent), broker.accept(0));
    let _quiet = quiet.unwrap();
    let o = ConnectOptions { keep_alive: 1, ..ConnectOptions::new("pinger") };
    let (client, mut srv) = tokio::join!(Client::connect(broker.addr, &o), broker.accept(0));
    let _client = client.unwrap();
    // Two pings from the pinger (one keepalive) are the clock for the silent one.
    assert_eq!(next(&mut srv.rd).await, Some(Packet::PingReq), "a PINGREQ within the keepalive");
    assert_eq!(next(&mut srv.rd).await, Some(Packet::PingReq));
    let nothing = tokio::time::timeout(Duration::ZERO, quiet_srv.rd.next()).await;
    assert!(nothing.is_err(), "the silent client sent {nothing:?}");
}

#[tokio::test]
async fn the_broker_closing_is_reported_and_pending_acks_fail() {
    let broker = FakeBroker::bind().await;
    let o = ConnectOptions::new("x");
    let (client, srv) = tokio::join!(Client::connect(broker.addr, &o), broker.accept(0));
    let mut client = client.unwrap();
    let publish = client.publish("t", QoS::AtLeastOnce, "never acked");
    let ((), r) = tokio::join!(async { drop(srv) }, publish);
    assert!(matches!(r, Err(Error::Closed)), "{r:?}");
    assert_eq!(client.closed_within(DEADLINE).await, Some(Closed::ByBroker));
    assert!(client.is_closed());
    assert!(matches!(client.publish("t", QoS::AtMostOnce, "x").await, Err(Error::Closed)));
}

#[tokio::test]
async fn a_refusal_from_the_fake_broker_and_a_silent_broker_time_out() {
    let broker = FakeBroker::bind().await;
    let o = ConnectOptions::new("x");
    let (h, _srv) = tokio::join!(handshake(broker.addr, &o), broker.accept(5));
    assert_eq!(h.unwrap().code(), ConnackCode::NotAuthorized);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let o = ConnectOptions { connack_timeout: Duration::from_millis(200), ..ConnectOptions::new("x") };
    let r = handshake(listener.local_addr().unwrap(), &o).await;
    assert!(matches!(r, Err(Error::Timeout("CONNACK"))), "{:?}", r.err());
}

#[tokio::test]
async fn takeover_by_the_same_client_id_closes_the_first() {
    let m = Mosquitto::start().await;
    let mut first = Client::connect(m.addr, &ConnectOptions::new("same")).await.unwrap();
    let _second = Client::connect(m.addr, &ConnectOptions::new("same")).await.unwrap();
    assert_eq!(first.closed_within(DEADLINE).await, Some(Closed::ByBroker));
}

#[tokio::test]
async fn a_source_address_is_bound() {
    let broker = FakeBroker::bind().await;
    let o = ConnectOptions { source: Some(source_ip(3, 0)), ..ConnectOptions::new("from-5") };
    let (client, srv) = tokio::join!(Client::connect(broker.addr, &o), broker.accept(0));
    client.unwrap();
    assert_eq!(srv.peer.ip().to_string(), "127.0.0.5");
}

#[tokio::test]
async fn a_fleet_connects_with_bounded_concurrency() {
    let m = Mosquitto::start().await;
    let c = connect_all(0..200, 16, DEADLINE, |i, left| {
        let o = ConnectOptions {
            source: Some(source_ip(0, i)),
            connack_timeout: left,
            ..ConnectOptions::new(format!("fleet-{i}"))
        };
        async move { Client::connect(m.addr, &o).await }
    })
    .await;
    assert_eq!((c.conns.len(), c.failed, c.first_error), (200, 0, None));
    // Every one of them is live.
    let (_, last) = &c.conns[199];
    last.publish("t", QoS::AtLeastOnce, "alive").await.unwrap();
}
