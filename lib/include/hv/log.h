/* Formatted messages from servers (musl's vsnprintf), to the console. */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <hv/ring.h>
#include <stdint.h>

/* Output goes to this ring (and a signal on the notification cap after a
 * newline) once set; before that, to the kernel debug cap. */
void log_init(uint32_t debug_cap, struct hv_ring *ring, uint32_t ntfn_cap);
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_write(const char *s, uint32_t len);

#endif
