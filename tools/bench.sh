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
loc=$(cat microkernel/core/*.c microkernel/include/*.h microkernel/arch/armv7/*.[chS] microkernel/arch/armv7/*.inc \
	boot/*.[chS] | grep -cv '^\s*$')
echo "bench: privileged_code_lines $loc (non-blank lines of C and assembly in microkernel/ and boot/; target <= 4000)"
text=$(arm-none-eabi-size -A "$B/hyp.elf" | awk '$1==".text"||$1==".rodata"||$1==".data"{s+=$2} END{print s}')
bss=$(arm-none-eabi-size -A "$B/hyp.elf" | awk '$1==".bss"{print $2}')
mods=$(arm-none-eabi-size -A "$B/hyp.elf" | awk '$1==".modules"{print $2}')
echo "bench: kernel_image_bytes $text (text+rodata+data, without the $mods bytes of packed server images; bss $bss)"

# Linux boot to init: Debian's kernel and initramfs (tools/linux-guest.sh),
# under the hypervisor and directly on QEMU, each timed by the guest's own
# clock: the printk timestamp of the "init: ready" line /init writes to
# /dev/kmsg. Same command line; `quiet` variant first, then with the whole
# boot log on the console (every byte an exit to the monitor).
echo "== Linux boot to init (qemu -icount shift=0, -smp 1, 256 MiB)"
HV_BUILD=$B bash tools/linux-guest.sh >/dev/null
LK=$B/linux/vmlinuz LI=$B/linux/initrd.cpio.gz
init_ready() { grep -a -o '\[ *[0-9.]*\] init: ready' | head -1 | tr -d '[]' | awk '{print $1}'; }
boot_native() {
	timeout 300 qemu-system-arm -M virt,gic-version=2 -cpu cortex-a15 -smp 1 -m 256 \
		-nographic -monitor none -no-reboot -icount shift=0 -kernel "$LK" -initrd "$LI" \
		-append "$1 hv.run=true" 2>&1 | init_ready
}
boot_hv() {
	timeout 300 tools/hvrun --icount --smp 1 --timeout 280 \
		--vm "kernel=$LK,initrd=$LI,mem=256,name=linux,cmdline=$1 hv.run=true" 2>&1 | init_ready
}
for variant in "quiet loglevel=5" "loglevel=8"; do
	args="console=ttyAMA0 cryptomgr.notests $variant"
	ours=$(boot_hv "$args") native=$(boot_native "$args")
	[[ -n $ours && -n $native ]] || { echo "bench: Linux boot failed ($variant)" >&2; exit 1; }
	awk -v o="$ours" -v n="$native" -v v="$variant" 'BEGIN {
		printf "bench: linux_boot_ratio %.4f (%.0f us under the hypervisor, %.0f us on QEMU alone; %s; target <= 1.005)\n",
			o / n, o * 1e6, n * 1e6, v }'
done

# Disks: sequential 64 MiB with direct I/O inside Debian's kernel, on the
# hypervisor's virtio-blk device (served by the block server from QEMU's
# virtio-blk device) and on QEMU's own virtio-blk device without a
# hypervisor, same kernel, initramfs, image size and QEMU drive options.
# Each dd is timed by the guest's clock: printk timestamps of lines written
# to /dev/kmsg around it; the data written comes from a file in the
# guest's tmpfs. A ratio is throughput under the hypervisor over throughput
# on QEMU alone (native time / our time), the median of 5 runs: the time a
# guest waits for QEMU's I/O thread is host time, so runs vary.
echo "== Linux disk, dd 64 MiB direct I/O (qemu -icount shift=0, -smp 1, 256 MiB)"
img=$(mktemp)
trap 'rm -f "$out" "$img"' EXIT
truncate -s 80M "$img"
DD="yes hv-disk-bench | head -c 67108864 > /tmp/src; echo bench-w0 > /dev/kmsg; dd if=/tmp/src of=/dev/vda bs=1M count=64 oflag=direct 2>/dev/null; echo bench-w1 > /dev/kmsg; dd if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null; echo bench-r1 > /dev/kmsg"
DARGS="console=ttyAMA0 cryptomgr.notests quiet loglevel=5"
stamps() { grep -a -o '\[ *[0-9.]*\] bench-[wr][01]' | tr -d '[]' | awk '{t[$2]=$1} END {
	if (t["bench-w0"] != "" && t["bench-r1"] != "") print t["bench-w1"] - t["bench-w0"], t["bench-r1"] - t["bench-w1"] }'; }
disk_native() {
	timeout 300 qemu-system-arm -M virt,gic-version=2 -cpu cortex-a15 -smp 1 -m 256 \
		-nographic -monitor none -no-reboot -icount shift=0 -kernel "$LK" -initrd "$LI" \
		-global virtio-mmio.force-legacy=false \
		-drive "file=$img,if=none,format=raw,id=disk0" -device virtio-blk-device,drive=disk0 \
		-append "$DARGS hv.run=\"$DD\"" 2>&1 | stamps
}
disk_hv() {
	timeout 300 tools/hvrun --icount --smp 1 --timeout 280 \
		--vm "kernel=$LK,initrd=$LI,mem=256,name=linux,disk=$img,cmdline=$DARGS hv.run=\"$DD\"" 2>&1 | stamps
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
w_ratios="" r_ratios="" detail=""
for i in 1 2 3 4 5; do
	ours=$(disk_hv) native=$(disk_native)
	[[ -n $ours && -n $native ]] || { echo "bench: disk run failed" >&2; exit 1; }
	read -r ow or_ <<<"$ours"
	read -r nw nr <<<"$native"
	w_ratios+="$(awk -v o="$ow" -v n="$nw" 'BEGIN {printf "%.4f", n / o}') "
	r_ratios+="$(awk -v o="$or_" -v n="$nr" 'BEGIN {printf "%.4f", n / o}') "
	detail+=" [$ow/$nw s write, $or_/$nr s read]"
done
w=$(tr ' ' '\n' <<<"$w_ratios" | grep . | median)
r=$(tr ' ' '\n' <<<"$r_ratios" | grep . | median)
echo "bench: disk_write_ratio $w (throughput under the hypervisor / QEMU's own virtio-blk, median of 5: $w_ratios; target >= 0.7)"
echo "bench: disk_read_ratio $r (median of 5: $r_ratios; target >= 0.7)"
echo "bench: disk_times_s ours/native per run:$detail"

# A monitor crash while the guest uses its disk: the virtioblk guest makes
# its monitor fault (hvc 0x86000F00) and times the next disk read to its
# completion, in instructions.
echo "== monitor restart under disk I/O (qemu -icount shift=0, -smp 1)"
truncate -s 1M "$img"
tools/hvrun --icount --smp 1 --timeout 120 \
	--vm "kernel=$B/guests/virtioblk.bin,name=blk,testhooks=on,disk=$img,cmdline=restart=1" 2>&1 |
	grep -a -o 'bench: restart_under_io.*' | tr -d '\r' | sed 's/$/ (target <= 2000000)/' ||
	echo "bench: restart_under_io failed" >&2
# Network: 16 MiB with nc from one Linux VM to another through the switch
# (net=on on both), both VMs on one host CPU. Timed by the sender's clock
# (/proc/uptime, 10 ms steps) from before nc starts until it exits, which
# is after the receiver closed the connection, so every byte arrived.
echo "== network between two VMs (qemu -icount shift=0, -smp 1, 256 MiB each)"
NET_MIB=16
net_args="console=ttyAMA0 cryptomgr.notests quiet"
net_rx="ip addr add 10.0.0.1/24 dev eth0; ip link set eth0 up; nc -l -p 5000 > /dev/null"
net_tx="ip addr add 10.0.0.2/24 dev eth0; ip link set eth0 up"
net_tx+="; until ping -c 1 -W 1 10.0.0.1 >/dev/null; do sleep 0.2; done"
net_tx+="; read t0 x < /proc/uptime"
net_tx+="; dd if=/dev/zero bs=65536 count=$((NET_MIB * 16)) 2>/dev/null | nc 10.0.0.1 5000"
net_tx+="; read t1 x < /proc/uptime; echo net-time \$t0 \$t1"
times=$(timeout 900 tools/hvrun --icount --smp 1 --timeout 880 \
	--vm "kernel=$LK,initrd=$LI,mem=256,name=rx,net=on,cmdline=$net_args hv.run=\"$net_rx\"" \
	--vm "kernel=$LK,initrd=$LI,mem=256,name=tx,net=on,cmdline=$net_args hv.run=\"$net_tx\"" \
	2>&1 | grep -a -o 'net-time [0-9.]* [0-9.]*' | head -1) || true
[[ -n $times ]] || { echo "bench: network run failed" >&2; exit 1; }
echo "$times" | awk -v mib=$NET_MIB '{ s = $3 - $2; printf "bench: net_throughput %.1f MB/s (%d MiB with nc between two Linux VMs through the switch in %.2f s of guest time)\n", mib * 1048576 / s / 1e6, mib, s }'
