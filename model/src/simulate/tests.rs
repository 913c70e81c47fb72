use super::*;
use crate::tsl::validate::validate_value;

const ALL_TYPES: &str = include_str!("../../tests/fixtures/tsl/all-types-street-lamp.json");

#[test]
fn the_seed_limits_of_a_push_policy() {
    let now = 1_700_000_000_000;
    let ok = PushPolicy::Interval { interval_s: 1, start_ms: now, end_ms: now + MAX_PERIOD_MS };
    assert_eq!(ok.check(now), Ok(()));
    let fast = PushPolicy::Interval { interval_s: 0, start_ms: now, end_ms: now + 10_000 };
    assert_eq!(fast.check(now), Err(PolicyError::IntervalTooShort));
    let long = PushPolicy::Interval { interval_s: 5, start_ms: now, end_ms: now + MAX_PERIOD_MS + 1 };
    assert_eq!(long.check(now), Err(PolicyError::PeriodTooLong));
    let backwards = PushPolicy::Interval { interval_s: 5, start_ms: now, end_ms: now - 1 };
    assert_eq!(backwards.check(now), Err(PolicyError::EndBeforeStart));
    assert_eq!(PushPolicy::Once { at_ms: now - 1 }.check(now), Err(PolicyError::InThePast));
    assert_eq!(PushPolicy::Once { at_ms: now }.check(now), Ok(()));
}

#[test]
fn an_interval_fires_on_its_grid_and_stops_at_the_end() {
    let p = PushPolicy::Interval { interval_s: 2, start_ms: 10_000, end_ms: 20_000 };
    let mut at = Vec::new();
    let mut from = 0;
    while let Some(t) = p.next_at(from) {
        at.push(t);
        from = t + 1;
    }
    assert_eq!(at, vec![10_000, 12_000, 14_000, 16_000, 18_000, 20_000]);
    assert_eq!(p.total(), 6);
    assert_eq!(p.next_at(13_500), Some(14_000));
    assert_eq!(PushPolicy::Once { at_ms: 5 }.next_at(6), None);
    // Policies travel as tagged JSON.
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["kind"], "interval");
    assert_eq!(serde_json::from_value::<PushPolicy>(j).unwrap(), p);
}

#[test]
fn simulated_values_are_valid_for_every_type_all_day() {
    let model: ThingModel = serde_json::from_str(ALL_TYPES).unwrap();
    for seed in [0u64, 1, 42, u64::MAX] {
        for hour in 0..48 {
            let t = 1_700_000_000_000 + hour * 1_800_000;
            for p in &model.properties {
                let v = signal(&p.data_type, seed_of(&p.identifier) ^ seed, t);
                validate_value(&p.data_type, &v, &p.identifier)
                    .unwrap_or_else(|e| panic!("{} = {v} at {t}: {e:?}", p.identifier));
            }
            for s in &model.services {
                let out = outputs(&s.output_data, seed, t);
                for p in &s.output_data {
                    validate_value(&p.data_type, &out[&p.identifier], &p.identifier).unwrap();
                }
            }
        }
    }
}

#[test]
fn telemetry_follows_the_day_and_moves() {
    let dt = DataType::double(0.0, 100.0);
    let seed = 7 * 5; // no time-zone shift
    let midnight = 1_699_920_000_000; // 2023-11-14 00:00 UTC
    let noon = midnight + 12 * 3600 * 1000;
    let (night, day) = (signal(&dt, seed, midnight).as_f64().unwrap(), signal(&dt, seed, noon).as_f64().unwrap());
    assert!(day > night + 30.0, "day {day} night {night}");
    assert!(is_night(seed, midnight) && !is_night(seed, noon));
    let a = signal(&dt, seed, noon);
    let b = signal(&dt, seed, noon + 1000);
    assert_ne!(a, b, "noise moves the value second by second");
    assert_eq!(a, signal(&dt, seed, noon), "and is the same for the same time");
}

#[test]
fn noise_is_in_range_and_diag_errors_are_occasional() {
    for n in 0..10_000 {
        let x = noise(99, n);
        assert!((-1.0..=1.0).contains(&x));
    }
    let errors = (0..1000).filter(|s| wifi_diag(*s, 1_700_000_000_000, 20)["p"]["wifi"].get("err_stats").is_some());
    let n = errors.count();
    assert!((20..=100).contains(&n), "{n} errors in 1000 posts");
}

#[test]
fn diag_errors_are_records_the_network_page_can_read() {
    let mut seen = 0;
    for seed in 0..1000 {
        let d = wifi_diag(seed, 1_700_000_000_000, 20);
        let Some(stats) = d["p"]["wifi"]["err_stats"].as_str() else { continue };
        seen += 1;
        let records = crate::network::parse_err_stats(stats).unwrap_or_else(|e| panic!("{stats:?}: {e}"));
        assert!(!records.is_empty(), "{stats:?}");
        assert!(records.iter().all(|r| r.count >= 1 && r.err_type == "10"), "{stats:?}: {records:?}");
        assert!(d["p"]["wifi"]["per"].as_i64() > Some(0), "an error post reports packet loss");
    }
    assert!(seen > 0);
}

#[test]
fn the_demo_plan_adds_up() {
    for n in [0, 1, 9, 10, 200, 10_000] {
        let p = demo_plan(n);
        assert_eq!(p.lamps + p.sensors + p.gateways + p.subs, n, "{n}: {p:?}");
        assert_eq!(p.subs, p.gateways * SUBS_PER_GATEWAY);
    }
    assert_eq!(demo_plan(200), DemoPlan { lamps: 99, sensors: 81, gateways: 4, subs: 16 });
}

#[test]
fn custom_topics_live_under_user() {
    assert_eq!(check_custom_topic("pk", "dn", "/pk/dn/user/update"), Ok(()));
    assert!(check_custom_topic("pk", "dn", "/pk/other/user/update").is_err());
    assert!(check_custom_topic("pk", "dn", "/pk/dn/user/").is_err());
    assert!(check_custom_topic("pk", "dn", "/pk/dn/user/#").is_err());
    assert!(check_custom_topic("pk", "dn", "/sys/pk/dn/thing/event/property/post").is_err());
}

#[test]
fn simulated_numbers_print_with_the_decimals_of_their_step() {
    let spec = |step: Option<&str>| {
        let mut s: serde_json::Value = serde_json::json!({"min": "-40", "max": "85"});
        if let Some(step) = step {
            s["step"] = step.into();
        }
        serde_json::from_value(serde_json::json!({"type": "float", "specs": s})).unwrap()
    };
    for (step, most) in [(Some("0.1"), 1), (Some("0.01"), 2), (Some("1"), 0), (None, 2)] {
        let dt: DataType = spec(step);
        for i in 0..200 {
            let v = signal(&dt, 7, 1_700_000_000_000 + i * 61_000).to_string();
            // serde_json writes a whole float as "-16.0": that is not a finer value.
            let v = v.strip_suffix(".0").unwrap_or(&v);
            let decimals = v.split_once('.').map_or(0, |(_, f)| f.len());
            assert!(decimals <= most, "step {step:?}: {v} has {decimals} decimals");
        }
    }
}
