/* The console server: the physical PL011, one tagged stream per VM, and
 * the host's control prompt. */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <hv/proto.h>
#include <stdbool.h>
#include <stdint.h>

extern const struct console_info *const info;

void uart_init(void);
void uart_puts(const char *s);
void uart_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int uart_getc(void); /* -1 when the receive FIFO is empty */

void streams_drain(uint64_t now);
void input_byte(uint8_t c);
void prompt_run(const char *line);

#endif
