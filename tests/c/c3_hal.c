/*
 * The OS half of a C 3.x port (HAL_*), as every device maker writes one for iotkit-embedded: the
 * SDK asks the HAL for the device's triple (HAL_GetProductKey/DeviceName/DeviceSecret) and for
 * memory, time, randomness, mutexes and printing. The TCP half is the SDK's own Linux wrapper
 * (wrappers/os/ubuntu/HAL_TCP_linux.c, in libiot_hal.a); its reference OS file is not linked,
 * because it hard-codes a triple — so this file defines every OS function the MQTT client calls.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "infra_types.h"
#include "infra_defs.h"

extern char c3_product_key[], c3_device_name[], c3_device_secret[];

int HAL_GetProductKey(char product_key[IOTX_PRODUCT_KEY_LEN + 1])
{
    strncpy(product_key, c3_product_key, IOTX_PRODUCT_KEY_LEN + 1);
    return (int)strlen(product_key);
}

int HAL_GetDeviceName(char device_name[IOTX_DEVICE_NAME_LEN + 1])
{
    strncpy(device_name, c3_device_name, IOTX_DEVICE_NAME_LEN + 1);
    return (int)strlen(device_name);
}

int HAL_GetDeviceSecret(char device_secret[IOTX_DEVICE_SECRET_LEN + 1])
{
    strncpy(device_secret, c3_device_secret, IOTX_DEVICE_SECRET_LEN + 1);
    return (int)strlen(device_secret);
}

int HAL_GetFirmwareVersion(char *version)
{
    strcpy(version, "fleetdeck-test-1.0.0");
    return (int)strlen(version);
}

void *HAL_Malloc(uint32_t size)
{
    return malloc(size);
}

void HAL_Free(void *ptr)
{
    free(ptr);
}

uint64_t HAL_UptimeMs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void HAL_SleepMs(uint32_t ms)
{
    usleep(1000 * ms);
}

void HAL_Srandom(uint32_t seed)
{
    srandom(seed);
}

uint32_t HAL_Random(uint32_t region)
{
    return region > 0 ? (uint32_t)random() % region : 0;
}

int HAL_Snprintf(char *str, const int len, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vsnprintf(str, len, fmt, ap);
    va_end(ap);
    return rc;
}

/* The SDK's own log lines go to stderr so stdout stays the harness's. */
void HAL_Printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void *HAL_MutexCreate(void)
{
    pthread_mutex_t *m = malloc(sizeof(*m));
    if (m != NULL) {
        pthread_mutex_init(m, NULL);
    }
    return m;
}

void HAL_MutexDestroy(void *mutex)
{
    if (mutex != NULL) {
        pthread_mutex_destroy(mutex);
        free(mutex);
    }
}

void HAL_MutexLock(void *mutex)
{
    pthread_mutex_lock(mutex);
}

void HAL_MutexUnlock(void *mutex)
{
    pthread_mutex_unlock(mutex);
}
