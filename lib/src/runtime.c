/*
 * What musl and libfdt need from a bare PL0 server: the stack protector's
 * guard and failure path. (musl's errno sits behind the thread pointer,
 * which servers do not set up: nothing here may rely on errno.)
 */
#include <stdint.h>

uintptr_t __stack_chk_guard = 0x5a17c0deu;

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	__builtin_trap(); /* a fault: the supervisor restarts the server */
}
