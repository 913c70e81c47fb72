"""A device built with the unmodified Alibaba Python Link SDK (aliyun-iot-linkkit 1.2.13).

Run by tests/tests/linkkit_sdk.rs against a real fleetdeck. Only host and port differ from a
device talking to Alibaba Cloud. It reports what the SDK tells it as JSON lines on stdout and
takes commands as lines on stdin:

    post {"LightSwitch": 1}   -> thing_post_property
    answer Blink              -> thing_answer_service for the async service call held back
    quit

argv: product_key device_name device_secret mqtt_port tsl_path [report]
With `report`, every property set is posted back (as a real device reports its new state).
"""
import json
import sys
import threading

from linkkit import linkkit

pk, dn, secret, port, tsl_path = sys.argv[1:6]
report_sets = sys.argv[6:7] == ["report"]
out_lock = threading.Lock()
# Async service calls answered later, on `answer {identifier}`: identifier -> (request id, params).
held = {}


def emit(**kw):
    with out_lock:
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()


lk = linkkit.LinkKit(host_name="cn-shanghai", product_key=pk, device_name=dn, device_secret=secret)
lk.config_mqtt(port=int(port), secure="", endpoint="127.0.0.1", auto_reconnect_min_sec=1, auto_reconnect_max_sec=2)
lk.thing_setup(tsl_path)


def on_connect(session_flag, rc, userdata):
    emit(event="connect", rc=rc)


def on_disconnect(rc, userdata):
    emit(event="disconnect", rc=rc)


def on_thing_enable(userdata):
    emit(event="enable")


def on_thing_prop_post(request_id, code, data, message, userdata):
    emit(event="prop_post_reply", id=request_id, code=code, message=message)


def on_thing_prop_changed(params, userdata):
    # The SDK has already answered set_reply with 200 before calling this.
    emit(event="prop_set", params=params)
    if report_sets:
        rc, request_id = lk.thing_post_property(params)
        emit(event="posted", rc=rc, id=request_id)


def on_thing_call_service(identifier, request_id, params, userdata):
    emit(event="service", identifier=identifier, id=request_id, params=params)
    if identifier == "Add":
        lk.thing_answer_service(identifier, request_id, 200, {"Sum": params["A"] + params["B"]})
    elif identifier == "Blink":
        held[identifier] = (request_id, params)


lk.on_connect = on_connect
lk.on_disconnect = on_disconnect
lk.on_thing_enable = on_thing_enable
lk.on_thing_prop_post = on_thing_prop_post
lk.on_thing_prop_changed = on_thing_prop_changed
lk.on_thing_call_service = on_thing_call_service
lk.connect_async()

for line in sys.stdin:
    cmd, _, arg = line.strip().partition(" ")
    if cmd == "post":
        rc, request_id = lk.thing_post_property(json.loads(arg))
        emit(event="posted", rc=rc, id=request_id)
    elif cmd == "answer" and arg in held:
        request_id, params = held.pop(arg)
        rc = lk.thing_answer_service(arg, request_id, 200, {"Blinked": params.get("Times", 0)})
        emit(event="answered", identifier=arg, id=request_id, rc=rc)
    elif cmd == "quit":
        break
lk.disconnect()
emit(event="bye")
