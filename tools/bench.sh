#!/bin/bash
# make bench: the benchmark figures, one line each. Timings run under
# `qemu -icount shift=0`, where one guest instruction is 1 ns of virtual
# time, so counter ticks convert to instructions and repeat run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${HV_BUILD:-build}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== exits and IPC (qemu -icount shift=0, -smp 1)"
tools/hvrun --icount --smp 1 --timeout 600 --test-server ipcbench \
	--vm "kernel=$B/guests/bench.bin,name=bench,testhooks=on,cmdline=restarts=5 gap_ms=1100" \
	> "$out" 2>&1 || { cat "$out"; echo "bench: hypervisor run failed" >&2; exit 1; }
grep -a -E '^\[(bench|ipcbench)\] bench: ' "$out" | grep -v 'bench: cntfrq\|bench: done' |
	sed 's/^\[[a-z]*\] //' | tr -d '\r' | awk '
	/gicd_typer_read|pl011_dr_write/ { print $0 " (target <= 500)"; next }
	/hvc_psci_version/ { print $0 " (target <= 400)"; next }
	/ipc_call_reply/ { print $0 " (target <= 200)"; next }
	/monitor_restart/ { print $0 " (target <= 2000000)"; next }
	{ print }'

echo "== size of the privileged code"
loc=$(cat microkernel/core/*.c microkernel/include/*.h microkernel/arch/armv7/*.[chS] \
	boot/*.[chS] | grep -cv '^\s*$')
echo "bench: privileged_code_lines $loc (non-blank lines of C and assembly in microkernel/ and boot/; target <= 4000)"
text=$(arm-none-eabi-size -A "$B/hyp.elf" | awk '$1==".text"||$1==".rodata"||$1==".data"{s+=$2} END{print s}')
bss=$(arm-none-eabi-size -A "$B/hyp.elf" | awk '$1==".bss"{print $2}')
mods=$(arm-none-eabi-size -A "$B/hyp.elf" | awk '$1==".modules"{print $2}')
echo "bench: kernel_image_bytes $text (text+rodata+data, without the $mods bytes of packed server images; bss $bss)"
