/*
 * An iotkit-embedded (Link SDK C 3.x) device for fleetdeck's tests: the SDK's MQTT API
 * (IOT_MQTT_Construct/Subscribe/Publish/Yield) answering classic RRPC, as C 3.x firmwares do:
 * a request on /sys/{pk}/{dn}/rrpc/request/{msgId}, the answer on .../rrpc/response/{msgId}.
 *
 *   c3_device HOST PORT PRODUCT_KEY DEVICE_NAME DEVICE_SECRET
 *
 * The triple comes from the HAL_Get* functions, which a C 3.x port provides (c3_hal.c here);
 * the SDK signs the CONNECT with it itself.
 *
 * stdout, one line per thing that happened (the Rust test reads these):
 *   connected | subscribed | rrpc_request msg_id=ID payload=JSON | bye
 * stdin: `quit` (or EOF) disconnects and exits.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "infra_types.h"
#include "infra_defs.h"
#include "mqtt_api.h"

#include "alink_json.h"

/* The triple the HAL hands the SDK (see c3_hal.c). */
char c3_product_key[IOTX_PRODUCT_KEY_LEN + 1];
char c3_device_name[IOTX_DEVICE_NAME_LEN + 1];
char c3_device_secret[IOTX_DEVICE_SECRET_LEN + 1];

static void *g_client;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    if (msg->event_type == IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS) {
        say("subscribed");
    } else if (msg->event_type == IOTX_MQTT_EVENT_DISCONNECT) {
        say("disconnected");
    } else if (msg->event_type == IOTX_MQTT_EVENT_RECONNECT) {
        say("connected");
    }
}

/* A classic RRPC request: answer on rrpc/response/{msgId} with an Alink reply. `Add` adds
 * params A and B; any other method answers {}. */
static void on_rrpc_request(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    iotx_mqtt_topic_info_pt info = (iotx_mqtt_topic_info_pt)msg->msg;
    const char *topic = info->ptopic, *payload = info->payload, *msg_id, *params, *method;
    int tlen = info->topic_len, plen = (int)info->payload_len, id_len, params_len, method_len;
    char reply_topic[256], reply[256], data[64] = "{}";
    (void)pcontext;
    if (msg->event_type != IOTX_MQTT_EVENT_PUBLISH_RECEIVED) {
        return;
    }
    msg_id = topic + tlen;
    while (msg_id > topic && msg_id[-1] != '/') {
        msg_id--;
    }
    id_len = (int)(topic + tlen - msg_id);
    say("rrpc_request msg_id=%.*s payload=%.*s", id_len, msg_id, plen, payload);
    if (alink_json_value(payload, plen, "method", &method, &method_len) == 0 &&
        alink_json_value(payload, plen, "params", &params, &params_len) == 0 && method_len == 17 &&
        strncmp(method, "thing.service.Add", 17) == 0) {
        snprintf(data, sizeof(data), "{\"Sum\":%ld}",
                 alink_json_int(params, params_len, "A") + alink_json_int(params, params_len, "B"));
    }
    snprintf(reply_topic, sizeof(reply_topic), "/sys/%s/%s/rrpc/response/%.*s", c3_product_key, c3_device_name, id_len,
             msg_id);
    snprintf(reply, sizeof(reply), "{\"id\":\"%.*s\",\"code\":200,\"data\":%s}", id_len, msg_id, data);
    if (IOT_MQTT_Publish_Simple(pclient, reply_topic, IOTX_MQTT_QOS0, reply, (int)strlen(reply)) < 0) {
        say("publish_failed topic=%s", reply_topic);
    }
}

int main(int argc, char *argv[])
{
    iotx_mqtt_param_t params;
    char topic[128], line[256];
    struct pollfd in = {0, POLLIN, 0};

    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT PRODUCT_KEY DEVICE_NAME DEVICE_SECRET\n", argv[0]);
        return 2;
    }
    snprintf(c3_product_key, sizeof(c3_product_key), "%s", argv[3]);
    snprintf(c3_device_name, sizeof(c3_device_name), "%s", argv[4]);
    snprintf(c3_device_secret, sizeof(c3_device_secret), "%s", argv[5]);

    memset(&params, 0, sizeof(params));
    params.host = argv[1];
    params.port = (uint16_t)atoi(argv[2]);
    params.handle_event.h_fp = on_event;
    g_client = IOT_MQTT_Construct(&params);
    if (g_client == NULL) {
        say("connect_failed");
        return 1;
    }
    say("connected");

    snprintf(topic, sizeof(topic), "/sys/%s/%s/rrpc/request/+", c3_product_key, c3_device_name);
    if (IOT_MQTT_Subscribe(g_client, topic, IOTX_MQTT_QOS0, on_rrpc_request, NULL) < 0) {
        say("subscribe_failed");
        return 1;
    }

    for (;;) {
        IOT_MQTT_Yield(g_client, 200);
        if (poll(&in, 1, 0) > 0) {
            if (fgets(line, sizeof(line), stdin) == NULL || strncmp(line, "quit", 4) == 0) {
                break;
            }
        }
    }
    IOT_MQTT_Destroy(&g_client);
    say("bye");
    return 0;
}
