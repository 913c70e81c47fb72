/*
 * A Link SDK C 4.x device for fleetdeck's tests, against the SDK's public MQTT API only
 * (aiot_mqtt_*, aiot_sysdep_*, aiot_state_*), plain TCP as demos/mqtt_no_tls_demo.c.
 *
 *   c4_device HOST PORT PRODUCT_KEY DEVICE_NAME DEVICE_SECRET
 *
 * The Alink messages are the harness's: the archive's data-model component (aiot_dm_*) is not
 * Alibaba's — its owner rewrote its topics to `$SYS/{pk}/{dn}/property/post` and friends for
 * another platform and commented out its sync-service handler — so the data-model layer is done
 * here on Alibaba's topics the way the genuine aiot_dm does it (topic handlers for
 * property/set and RRPC, replies on `…/set_reply` and the RRPC topic itself). What connects,
 * signs, subscribes, publishes and keeps alive is the SDK.
 *
 * stdout, one line per thing that happened (the Rust test reads these):
 *   connected | suback res=R | property_set id=ID params=JSON | service rrpc_id=R id=ID
 *   identifier=S params=JSON | post_reply id=ID code=C | bye
 * stdin: `post JSON` posts properties; `quit` (or EOF) disconnects and exits.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiot_mqtt_api.h"
#include "aiot_state_api.h"
#include "aiot_sysdep_api.h"

#include "alink_json.h"

extern aiot_sysdep_portfile_t g_aiot_sysdep_portfile;

static char g_pk[64], g_dn[64];
static volatile int g_running = 1;
static unsigned long g_next_id = 1;
static pthread_mutex_t g_out = PTHREAD_MUTEX_INITIALIZER;

/* One whole line on stdout, whichever thread says it. */
static void say(const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&g_out);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    pthread_mutex_unlock(&g_out);
}

/* SDK log lines go to stderr so stdout stays ours. */
static int32_t log_cb(int32_t code, char *message)
{
    (void)code;
    fputs(message, stderr);
    return 0;
}

static void on_event(void *handle, const aiot_mqtt_event_t *event, void *userdata)
{
    (void)handle;
    (void)userdata;
    if (event->type == AIOT_MQTTEVT_CONNECT || event->type == AIOT_MQTTEVT_RECONNECT) {
        say("connected");
    } else if (event->type == AIOT_MQTTEVT_DISCONNECT) {
        say("disconnected");
    }
}

/* Anything no topic handler took: SUBACKs, and publishes on other topics. */
static void on_default(void *handle, const aiot_mqtt_recv_t *p, void *userdata)
{
    (void)handle;
    (void)userdata;
    if (p->type == AIOT_MQTTRECV_SUB_ACK) {
        say("suback res=%d", (int)p->data.sub_ack.res);
    } else if (p->type == AIOT_MQTTRECV_PUB) {
        say("pub topic=%.*s payload=%.*s", p->data.pub.topic_len, p->data.pub.topic, (int)p->data.pub.payload_len,
            (const char *)p->data.pub.payload);
    }
}

static void publish(void *mqtt, const char *topic, const char *payload)
{
    int32_t res = aiot_mqtt_pub(mqtt, (char *)topic, (uint8_t *)payload, (uint32_t)strlen(payload), 0);
    if (res < 0) {
        say("pub_failed topic=%s res=-0x%04X", topic, -res);
    }
}

/* thing.event.property.post, as aiot_dm's ALINK_REQUEST_FMT writes it. */
static void post_properties(void *mqtt, const char *params, int len)
{
    char topic[256], payload[1024];
    snprintf(topic, sizeof(topic), "/sys/%s/%s/thing/event/property/post", g_pk, g_dn);
    snprintf(payload, sizeof(payload), "{\"id\":\"%lu\",\"version\":\"1.0\",\"params\":%.*s,\"sys\":{\"ack\":1}}",
             g_next_id++, len, params);
    publish(mqtt, topic, payload);
}

/* property/set: apply (here: report the new values back) and reply 200. */
static void on_property_set(void *mqtt, const aiot_mqtt_recv_t *p, void *userdata)
{
    const char *json = (const char *)p->data.pub.payload, *id, *params;
    int len = (int)p->data.pub.payload_len, id_len, params_len;
    char topic[256], reply[256];
    (void)userdata;
    if (p->type != AIOT_MQTTRECV_PUB || alink_json_value(json, len, "id", &id, &id_len) != 0 ||
        alink_json_value(json, len, "params", &params, &params_len) != 0) {
        return;
    }
    say("property_set id=%.*s params=%.*s", id_len, id, params_len, params);
    snprintf(topic, sizeof(topic), "/sys/%s/%s/thing/service/property/set_reply", g_pk, g_dn);
    snprintf(reply, sizeof(reply), "{\"id\":\"%.*s\",\"code\":200,\"data\":{}}", id_len, id);
    publish(mqtt, topic, reply);
    post_properties(mqtt, params, params_len);
}

/* A sync service over RRPC: /ext/rrpc/{rrpcId}/sys/{pk}/{dn}/thing/service/{identifier};
 * the answer goes back on the same topic. `Add` adds A and B; others answer {}. */
static void on_rrpc_service(void *mqtt, const aiot_mqtt_recv_t *p, void *userdata)
{
    const char *json = (const char *)p->data.pub.payload, *id, *params, *topic_in = p->data.pub.topic;
    int len = (int)p->data.pub.payload_len, id_len, params_len, tlen = p->data.pub.topic_len;
    const char *rrpc = topic_in + strlen("/ext/rrpc/"), *svc = topic_in + tlen;
    char topic[256], reply[256], data[64] = "{}";
    (void)userdata;
    if (p->type != AIOT_MQTTRECV_PUB || tlen >= (int)sizeof(topic) ||
        alink_json_value(json, len, "id", &id, &id_len) != 0 ||
        alink_json_value(json, len, "params", &params, &params_len) != 0) {
        return;
    }
    while (svc > topic_in && svc[-1] != '/') {
        svc--;
    }
    say("service rrpc_id=%.*s id=%.*s identifier=%.*s params=%.*s", (int)(strchr(rrpc, '/') - rrpc), rrpc, id_len,
        id, (int)(topic_in + tlen - svc), svc, params_len, params);
    if ((int)(topic_in + tlen - svc) == 3 && strncmp(svc, "Add", 3) == 0) {
        snprintf(data, sizeof(data), "{\"Sum\":%ld}",
                 alink_json_int(params, params_len, "A") + alink_json_int(params, params_len, "B"));
    }
    memcpy(topic, topic_in, tlen);
    topic[tlen] = '\0';
    snprintf(reply, sizeof(reply), "{\"id\":\"%.*s\",\"code\":200,\"data\":%s}", id_len, id, data);
    publish(mqtt, topic, reply);
}

static void on_post_reply(void *mqtt, const aiot_mqtt_recv_t *p, void *userdata)
{
    const char *json = (const char *)p->data.pub.payload, *id;
    int len = (int)p->data.pub.payload_len, id_len;
    (void)mqtt;
    (void)userdata;
    if (p->type == AIOT_MQTTRECV_PUB && alink_json_value(json, len, "id", &id, &id_len) == 0) {
        say("post_reply id=%.*s code=%ld", id_len, id, alink_json_int(json, len, "code"));
    }
}

static void *process_loop(void *mqtt)
{
    while (g_running) {
        aiot_mqtt_process(mqtt); /* heartbeats, QoS1 resends */
        sleep(1);
    }
    return NULL;
}

static void *recv_loop(void *mqtt)
{
    while (g_running) {
        if (aiot_mqtt_recv(mqtt) < 0) {
            usleep(100 * 1000);
        }
    }
    return NULL;
}

static int subscribe(void *mqtt, const char *fmt, aiot_mqtt_recv_handler_t handler)
{
    char topic[256];
    snprintf(topic, sizeof(topic), fmt, g_pk, g_dn);
    return aiot_mqtt_sub(mqtt, topic, handler, 1, NULL);
}

int main(int argc, char *argv[])
{
    void *mqtt;
    uint16_t port;
    uint16_t keepalive = 60;
    aiot_sysdep_network_cred_t cred;
    pthread_t process_thread, recv_thread;
    char line[1024];
    int32_t res;

    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT PRODUCT_KEY DEVICE_NAME DEVICE_SECRET\n", argv[0]);
        return 2;
    }
    port = (uint16_t)atoi(argv[2]);
    snprintf(g_pk, sizeof(g_pk), "%s", argv[3]);
    snprintf(g_dn, sizeof(g_dn), "%s", argv[4]);

    aiot_sysdep_set_portfile(&g_aiot_sysdep_portfile);
    aiot_state_set_logcb(log_cb);
    mqtt = aiot_mqtt_init();
    if (mqtt == NULL) {
        say("init_failed");
        return 1;
    }
    memset(&cred, 0, sizeof(cred));
    cred.option = AIOT_SYSDEP_NETWORK_CRED_NONE;
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_HOST, argv[1]);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_PORT, &port);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_PRODUCT_KEY, g_pk);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_DEVICE_NAME, g_dn);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_DEVICE_SECRET, argv[5]);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_KEEPALIVE_SEC, &keepalive);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_NETWORK_CRED, &cred);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_RECV_HANDLER, (void *)on_default);
    aiot_mqtt_setopt(mqtt, AIOT_MQTTOPT_EVENT_HANDLER, (void *)on_event);

    res = aiot_mqtt_connect(mqtt);
    if (res < 0) {
        say("connect_failed res=-0x%04X", -res);
        aiot_mqtt_deinit(&mqtt);
        return 1;
    }
    /* Subscribed explicitly, as firmwares built on the RRPC demo do (fleetdeck also delivers
     * /sys/ downlinks without a subscription, as Alibaba's broker does). */
    subscribe(mqtt, "/sys/%s/%s/thing/service/property/set", on_property_set);
    subscribe(mqtt, "/ext/rrpc/+/sys/%s/%s/thing/service/+", on_rrpc_service);
    subscribe(mqtt, "/sys/%s/%s/thing/event/property/post_reply", on_post_reply);

    pthread_create(&process_thread, NULL, process_loop, mqtt);
    pthread_create(&recv_thread, NULL, recv_loop, mqtt);

    while (fgets(line, sizeof(line), stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "post ", 5) == 0) {
            post_properties(mqtt, line + 5, (int)strlen(line + 5));
        } else if (strcmp(line, "quit") == 0) {
            break;
        }
    }
    g_running = 0;
    pthread_join(process_thread, NULL);
    pthread_join(recv_thread, NULL);
    aiot_mqtt_disconnect(mqtt);
    aiot_mqtt_deinit(&mqtt);
    say("bye");
    return 0;
}
