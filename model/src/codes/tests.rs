use std::collections::HashSet;

use super::*;

#[test]
fn every_code_table_pair_is_unique() {
    let mut seen = HashSet::new();
    for r in all() {
        assert!(seen.insert((r.code, r.table)), "{} appears twice in {:?}", r.code, r.table);
    }
    // 122 rows in the seed's §4.1 tables, 1 Alink, 6 shadow, 2 fleetdeck.
    assert_eq!(seen.len(), 131);
}

#[test]
fn every_row_sits_in_its_own_table() {
    for &t in Table::ALL {
        assert!(!t.rows().is_empty(), "{t:?} is empty");
        for r in t.rows() {
            assert_eq!(r.table, t, "{} is filed under {t:?} but says {:?}", r.code, r.table);
            assert!(!r.description.is_empty(), "{} in {t:?} has no description", r.code);
            // Tooltips show it as a sentence (the seed's 6733 lacks its full stop; the table adds it).
            assert!(r.description.ends_with('.'), "{} in {t:?}: {:?}", r.code, r.description);
            // An empty cell is `None`, never `Some("")`.
            assert!(r.cause != Some("") && r.troubleshooting != Some(""), "{} in {t:?}", r.code);
        }
    }
    assert_eq!(Table::ALL.iter().filter(|t| t.is_seed()).count(), 11);
}

/// The typed constants resolve to their rows (the constants are checked when compiled; this
/// checks that they point at the row the name promises).
#[test]
fn constants_resolve_to_their_rows() {
    let cases: &[(Code, u32, Table)] = &[
        (device_behavior::DEVICE_NOT_FOUND, 6100, Table::DeviceBehavior),
        (device_behavior::DEVICE_DISABLED, 522, Table::DeviceBehavior),
        (device_behavior::KICKED, 427, Table::DeviceBehavior),
        (device_behavior::SUB_DEVICE_DISCONNECTED, 1913, Table::DeviceBehavior),
        (message::DEVICE_OFFLINE, 9201, Table::Message),
        (message::RRPC_TIMEOUT, 1905, Table::Message),
        (message::TOPIC_AUTH_FAILED, 9236, Table::Message),
        (tsl_service_call::DEVICE_OFFLINE, 9201, Table::TslServiceCall),
        (tsl_service_call::GATEWAY_OFFLINE, 9389, Table::TslServiceCall),
        (tsl_data_post::DATA_FORMAT_INVALID, 6207, Table::TslDataPost),
        (tsl_device_reply::INVALID_PARAMS, 460, Table::TslDeviceReply),
        (tsl_common::INT_MISMATCH, 6306, Table::TslCommon),
        (topology::PRODUCT_NOT_FOUND, 5005, Table::Topology),
        (remote_config::CONFIG_DISABLED, 6713, Table::RemoteConfig),
        (alink::SUCCESS, 200, Table::Alink),
        (device_shadow::VERSION_CONFLICT, 409, Table::DeviceShadow),
        (fleetdeck::ALREADY_ACTIVATED, 6289, Table::Fleetdeck),
    ];
    for &(c, code, table) in cases {
        assert_eq!((c.code(), c.table()), (code, table), "{c:?}");
        assert_eq!(lookup(code, table), Some(c.info()));
        assert_eq!(u32::from(c), code);
    }
    assert_eq!(format!("{:?}", message::DEVICE_OFFLINE), "Code(9201, Message)");
    assert_ne!(message::DEVICE_OFFLINE, tsl_service_call::DEVICE_OFFLINE);
}

/// The codes the seed gives several meanings have every one of them.
#[test]
fn codes_with_several_meanings_have_them_all() {
    use Table::*;
    let cases: &[(u32, &[Table])] = &[
        (9201, &[Message, TslServiceCall]),
        (9200, &[Message, TslServiceCall, Subscription]),
        (500, &[TslDeviceReply, Subscription, DeviceShadow]),
        (6207, &[TslServiceCall, TslDataPost]),
        (6452, &[TslDataPost, TslDeviceReply]),
        (9389, &[Message, TslServiceCall]),
        (6300, &[TslServiceCall, TslDataPost]),
        (401, &[DeviceBehavior, DeviceShadow]),
        (400, &[TslDeviceReply, DeviceShadow]),
        (403, &[Subscription, DeviceShadow]),
        (200, &[DeviceBehavior, Alink]),
    ];
    for (code, tables) in cases {
        let found: Vec<Table> = lookup_any(*code).iter().map(|r| r.table).collect();
        assert_eq!(&found, tables, "{code}");
    }
    // Every code with more than one row is in the list above.
    let mut counts = std::collections::HashMap::<u32, usize>::new();
    for r in all() {
        *counts.entry(r.code).or_default() += 1;
    }
    let mut multi: Vec<u32> = counts.into_iter().filter(|&(_, n)| n > 1).map(|(c, _)| c).collect();
    multi.sort_unstable();
    let mut listed: Vec<u32> = cases.iter().map(|(c, _)| *c).collect();
    listed.sort_unstable();
    assert_eq!(multi, listed);
    // The two meanings of 6207 differ in their cause, as in the seed.
    let call = lookup(6207, TslServiceCall).unwrap().cause.unwrap();
    let post = lookup(6207, TslDataPost).unwrap().cause.unwrap();
    assert!(call.contains("The format of the data returned by the device is invalid."), "{call}");
    assert!(post.contains("is not in the JSON format"), "{post}");
}

/// The seed's cell text as the table keeps it: HTML tags dropped, whitespace collapsed, no space
/// before a full stop (the guide writes "choose Devices > Products ." after a link).
fn normalize(cell: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in cell.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace(" .", ".")
}

/// A few rows checked against the seed's text (lines copied verbatim from §4.1, tabs between
/// the columns).
#[test]
fn rows_match_the_seed_text() {
    use Table::*;
    let cases: &[(Table, &str)] = &[
        (
            DeviceBehavior,
            "6100\tThe device does not exist.\tThe device is not created or is deleted.\tOn the Device List tab of \
             the Devices page, search for the required device to check whether the device exists.",
        ),
        (
            DeviceBehavior,
            "1913\tThe sub-device is disconnected.\tThe gateway is offline.\tCheck why the gateway goes offline by \
             using Log Service.",
        ),
        (
            Message,
            "9201\tThe device is disconnected.\tThe device is offline.\tCheck the status of the device in the IoT \
             Platform console.",
        ),
        (
            TslServiceCall,
            "9201\tThe device is disconnected.\tThe device is disconnected from IoT Platform.\tCheck the device \
             status in the IoT Platform console.",
        ),
        (
            Subscription,
            "9200\tThe device is inactive.\tThe device is not activated in the IoT Platform console. After a new \
             device is registered, the device is activated only after it is connected to IoT Platform and submits \
             data to IoT Platform.\tCheck the status of the device in the IoT Platform console.",
        ),
        (
            TslDeviceReply,
            "460\tOne or more parameters are invalid.\tThe request parameters are invalid.\tSubmit a ticket.",
        ),
        (
            TslDataPost,
            "6452\tA throttling error occurred.\tTraffic throttling is triggered because excessive requests are \
             submitted.\tSubmit a ticket.",
        ),
        (
            TslDeviceReply,
            "6452\tA throttling error occurred.\tTraffic throttling is triggered because an excessive number of \
             requests are submitted.\tSubmit a ticket.",
        ),
        (
            Topology,
            "5005\tAn error occurred when you queried the product information.\tThe specified product does not \
             exist.\tLog on to the IoT Platform console and choose Devices > Products . On the page that appears, \
             query the product information and check whether the ProductKey exists.",
        ),
        (
            DeviceBehavior,
            "200\tThe device goes online or offline as expected.\t<ul style=\"list-style-type: none\"> Offline: The \
             device ends the connection with IoT Platform. Online: The device establishes a connection with IoT \
             Platform. \tView the Last Online and Current Status parameters of the device on the Device Details page \
             of the IoT Platform console.",
        ),
        (
            RemoteConfig,
            "6713\tThe remote configuration switch is turned off.\tThe remote configuration switch is turned off on \
             the Remote Configuration page. This page appears when you choose Maintenance > Remote Config in the \
             console.\tIn the IoT Platform console, choose Maintenance > Remote Config . On the page that appears, \
             check whether the remote configuration feature is enabled.",
        ),
    ];
    for (table, line) in cases {
        let cols: Vec<&str> = line.split('\t').collect();
        let code: u32 = cols[0].parse().unwrap();
        let r = lookup(code, *table).unwrap_or_else(|| panic!("{code} missing from {table:?}"));
        assert_eq!(r.description, normalize(cols[1]), "{code} {table:?}");
        assert_eq!(r.cause.map(str::to_string), Some(normalize(cols[2])), "{code} {table:?}");
        assert_eq!(r.troubleshooting.map(str::to_string), Some(normalize(cols[3])), "{code} {table:?}");
    }
}

/// Rows under "System error codes" whose cells the seed merged get the merged text; rows the
/// seed leaves without troubleshooting have none.
#[test]
fn system_rows_and_empty_cells() {
    let merged = lookup(6205, Table::TslServiceCall).unwrap();
    assert!(merged.system);
    assert_eq!((merged.cause, merged.troubleshooting), (Some(SYSTEM_CAUSE), Some(SUBMIT_TICKET)));
    assert!(lookup(6318, Table::TslCommon).unwrap().system);
    assert!(!lookup(6306, Table::TslCommon).unwrap().system);
    // "Common error codes" in the device-reply table are not system codes; 6452 below them is.
    assert!(!lookup(500, Table::TslDeviceReply).unwrap().system);
    assert!(lookup(6452, Table::TslDeviceReply).unwrap().system);
    let nack = lookup(9652, Table::Message).unwrap();
    assert_eq!((nack.cause, nack.troubleshooting), (Some("The receiver returns NACK."), None));
}

#[test]
fn lookups_of_unknown_pairs_are_empty() {
    assert_eq!(lookup(6100, Table::Message), None);
    assert_eq!(lookup(0, Table::DeviceBehavior), None);
    assert!(lookup_any(1).is_empty());
    assert_eq!(lookup_any(6100).len(), 1);
}

/// The browser gets rows as JSON: camelCase, tables by name.
#[test]
fn rows_serialize_for_the_browser() {
    let v = serde_json::to_value(device_behavior::DEVICE_NOT_FOUND.info()).unwrap();
    assert_eq!(v["code"], 6100);
    assert_eq!(v["table"], "deviceBehavior");
    assert_eq!(v["description"], "The device does not exist.");
    assert_eq!(v["system"], false);
    assert!(v["fleetdeck"].is_string());
    let t: Table = serde_json::from_str("\"tslServiceCall\"").unwrap();
    assert_eq!(t, Table::TslServiceCall);
}

/// Notes on fleetdeck's use exist where it differs, and only on seed rows.
#[test]
fn fleetdeck_notes() {
    for r in all() {
        if !r.table.is_seed() {
            assert_eq!(r.fleetdeck, None, "{} {:?}: the whole row is fleetdeck's", r.code, r.table);
        }
    }
    for c in [message::RRPC_TIMEOUT, device_behavior::NO_PERMISSION, tsl_device_reply::INVALID_PARAMS] {
        assert!(c.info().fleetdeck.is_some(), "{c:?}");
    }
}
