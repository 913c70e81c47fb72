/*
 * Just enough JSON for the test devices: the value of one key of an Alink message, as the raw
 * text between its first and last byte (a string without its quotes; an object or array with
 * its brackets). The SDKs' own JSON helpers are internal (core_json_value, infra_json_parser),
 * so a harness that keeps to their public API reads its payloads itself, as a firmware would.
 */
#ifndef ALINK_JSON_H
#define ALINK_JSON_H

#include <stdlib.h>
#include <string.h>

/* Finds `"key":` in json[0..len) and points val and vlen at its value. 0 found, -1 not. */
static int alink_json_value(const char *json, int len, const char *key, const char **val, int *vlen)
{
    int klen = (int)strlen(key);
    int i;
    for (i = 0; i + klen + 2 < len; i++) {
        int j, depth = 0, in_str = 0;
        if (json[i] != '"' || strncmp(json + i + 1, key, klen) != 0 || json[i + 1 + klen] != '"') {
            continue;
        }
        j = i + klen + 2;
        while (j < len && (json[j] == ' ' || json[j] == ':')) {
            j++;
        }
        if (j >= len) {
            return -1;
        }
        if (json[j] == '"') {
            int k = j + 1;
            while (k < len && !(json[k] == '"' && json[k - 1] != '\\')) {
                k++;
            }
            *val = json + j + 1;
            *vlen = k - j - 1;
            return 0;
        }
        *val = json + j;
        for (; j < len; j++) {
            char c = json[j];
            if (in_str) {
                in_str = !(c == '"' && json[j - 1] != '\\');
            } else if (c == '"') {
                in_str = 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    break;
                }
                if (--depth == 0) {
                    j++;
                    break;
                }
            } else if (c == ',' && depth == 0) {
                break;
            }
        }
        *vlen = (int)(json + j - *val);
        return 0;
    }
    return -1;
}

/* The integer value of `key` (0 when absent). */
static long alink_json_int(const char *json, int len, const char *key)
{
    const char *v;
    int n;
    char buf[32];
    if (alink_json_value(json, len, key, &v, &n) != 0 || n <= 0 || n >= (int)sizeof(buf)) {
        return 0;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

#endif
