# Build, run and test the hypervisor. `make run` and `make test` install
# what is missing first (tools/setup.sh).

CROSS ?= arm-none-eabi-
CC_T := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HV_BUILD ?= build
B := $(HV_BUILD)
FDT_ARMHF := $(B)/deps/libfdt-armhf/usr
# the kernel's UAPI headers for armhf: <linux/virtio_*.h> and <asm/types.h>
LINUX_ARMHF := $(B)/deps/linux-libc-armhf/usr/include
LINUX_ARMHF_INC := -isystem $(LINUX_ARMHF) -isystem $(LINUX_ARMHF)/arm-linux-gnueabihf
MUSL_INC := /usr/include/arm-linux-musleabihf
MUSL_LIB := /usr/lib/arm-linux-musleabihf/libc.a
PYTEST := /usr/bin/python3 -m pytest

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes
TARGET := -mcpu=cortex-a15 -marm -mfloat-abi=hard -mfpu=vfpv3-d16 -fno-short-enums
TFLAGS := -std=c11 -O2 -g $(TARGET) $(WARN) -ffreestanding -fno-pic -nostdinc \
	-isystem $(MUSL_INC) -isystem $(shell $(CC_T) -print-file-name=include) \
	$(LINUX_ARMHF_INC) -I$(FDT_ARMHF)/include -Ilib/include
KFLAGS := $(TFLAGS) -mgeneral-regs-only -flto -fno-stack-protector -Imicrokernel/include \
	-Imicrokernel/arch/armv7 -I$(B)
SFLAGS := $(TFLAGS) -mgeneral-regs-only -flto -Iservers/vmm -Iservers/devices -Iservers/init
LDFLAGS_T := -nostdlib -static -Wl,--no-enum-size-warning -Wl,-z,noexecstack
TLIBS := $(FDT_ARMHF)/lib/arm-linux-gnueabihf/libfdt.a $(MUSL_LIB) -lgcc

KERNEL_SRCS := $(wildcard boot/*.c microkernel/core/*.c) \
	microkernel/arch/armv7/cpu.c microkernel/arch/armv7/gic.c microkernel/arch/armv7/machine.c
KERNEL_ASM := boot/start.S microkernel/arch/armv7/entry.S microkernel/arch/armv7/trap.S
KERNEL_OBJS := $(patsubst %,$(B)/k/%.o,$(KERNEL_SRCS) $(KERNEL_ASM))

LIB_SRCS := lib/src/crt0.S lib/src/ipc.S lib/src/runtime.c lib/src/log.c lib/src/virtio_drv.c
LIB_OBJS := $(patsubst %,$(B)/s/%.o,$(LIB_SRCS))

SERVERS := init vmm console rng blk switch badsys ipcbench
init_SRCS := $(wildcard servers/init/*.c)
vmm_SRCS := $(wildcard servers/vmm/*.c)
console_SRCS := $(wildcard servers/devices/console/*.c)
rng_SRCS := $(wildcard servers/devices/rng/*.c)
blk_SRCS := $(wildcard servers/devices/blk/*.c)
switch_SRCS := $(wildcard servers/devices/switch/*.c)
badsys_SRCS := tests/servers/badsys.c
ipcbench_SRCS := tests/servers/ipcbench.c

.PHONY: all setup run test unit integration bench clean format linux-guest
all: $(B)/hyp.elf guests

setup:
	@HV_BUILD=$(B) bash tools/setup.sh

# a plain `make` on a fresh clone fetches what it needs too (one run of
# setup.sh makes all three, also under -j)
$(FDT_ARMHF)/lib/arm-linux-gnueabihf/libfdt.a $(FDT_ARMHF)/include/libfdt.h \
		$(LINUX_ARMHF)/linux/virtio_ring.h &:
	@HV_BUILD=$(B) bash tools/setup.sh

$(B)/asm_offsets.h: microkernel/arch/armv7/offsets.c microkernel/include/kernel.h \
		microkernel/arch/armv7/armv7.h microkernel/arch/armv7/hyp_regs.h lib/include/hv/abi.h \
		$(FDT_ARMHF)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC_T) $(KFLAGS) -fno-lto -S $< -o $(B)/offsets.s
	sed -n 's/.*->\([A-Z0-9_]*\) #\?\([0-9]*\).*/#define \1 \2/p' $(B)/offsets.s > $@

$(B)/k/%.c.o: %.c $(B)/asm_offsets.h
	@mkdir -p $(dir $@)
	$(CC_T) $(KFLAGS) -MMD -MP -c $< -o $@

$(B)/k/%.S.o: %.S $(B)/asm_offsets.h
	@mkdir -p $(dir $@)
	$(CC_T) $(KFLAGS) -MMD -MP -c $< -o $@

$(B)/k/boot/modules.S.o: boot/modules.S $(patsubst %,$(B)/servers/%.bin,$(SERVERS))
	@mkdir -p $(dir $@)
	$(CC_T) $(KFLAGS) -Wa,-I$(B) -c $< -o $@

$(B)/hyp.elf: $(KERNEL_OBJS) $(B)/k/boot/modules.S.o boot/hyp.ld
	$(CC_T) $(TARGET) -O2 -flto -mgeneral-regs-only $(LDFLAGS_T) -T boot/hyp.ld $(KERNEL_OBJS) $(B)/k/boot/modules.S.o \
		$(TLIBS) -o $@

$(B)/s/%.c.o: %.c $(FDT_ARMHF)/include/libfdt.h $(LINUX_ARMHF)/linux/virtio_ring.h
	@mkdir -p $(dir $@)
	$(CC_T) $(SFLAGS) -MMD -MP -c $< -o $@

# init carries the block server's image (servers/init/blk.c)
$(B)/s/servers/init/blk_image.S.o: servers/init/blk_image.S $(B)/servers/blk.bin
	@mkdir -p $(dir $@)
	$(CC_T) $(SFLAGS) -Wa,-I$(B) -c $< -o $@

$(B)/s/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC_T) $(SFLAGS) -c $< -o $@

define server_rule
$(B)/servers/$(1).elf: $(patsubst %,$(B)/s/%.o,$($(1)_SRCS)) $(LIB_OBJS) lib/src/server.ld
	@mkdir -p $$(dir $$@)
	$(CC_T) $(TARGET) -O2 -flto -mgeneral-regs-only $(LDFLAGS_T) -T lib/src/server.ld $(LIB_OBJS) \
		$(patsubst %,$(B)/s/%.o,$($(1)_SRCS)) $(TLIBS) -o $$@
$(B)/servers/$(1).bin: $(B)/servers/$(1).elf
	$(OBJCOPY) -O binary $$< $$@
endef
$(foreach s,$(SERVERS),$(eval $(call server_rule,$(s))))

include tests/guests/guests.mk

# Host unit tests (cmocka): tests/unit/test_X.c with its sources in test_X.mk
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
include $(wildcard tests/unit/test_*.mk)
HOST_CFLAGS := -std=c11 -O1 -g $(WARN) -Ilib/include -Iservers/vmm -Imicrokernel/include -Itests/unit

.SECONDEXPANSION:
$(B)/unit/%: tests/unit/%.c $$($$*_SRCS)
	@mkdir -p $(dir $@)
	cc $(HOST_CFLAGS) $($*_SRCS) $< -lcmocka -lfdt -o $@

unit: $(patsubst %,$(B)/unit/%,$(UNIT_TESTS))
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $(B)/unit/$$t; done

integration: all
	HV_BUILD=$(B) bash tools/linux-guest.sh
	$(PYTEST) -q tests/integration

test: setup
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

# Two Debian Linux VMs: alpha with a shell on the console (typed input goes
# to it), beta (two vCPUs) printing its uptime every 10 s.
LINUX_VM := kernel=$(B)/linux/vmlinuz,initrd=$(B)/linux/initrd.cpio.gz,mem=256
LINUX_ARGS := console=ttyAMA0 cryptomgr.notests
run: setup
	$(MAKE) all
	HV_BUILD=$(B) bash tools/linux-guest.sh
	tools/hvrun --smp 2 --raw-keys \
		--vm '$(LINUX_VM),name=alpha,cmdline=$(LINUX_ARGS)' \
		--vm '$(LINUX_VM),name=beta,cpus=2,cmdline=$(LINUX_ARGS) hv.run="while true; do uptime; sleep 10; done"'

bench: setup
	$(MAKE) all
	bash tools/bench.sh

# Debian's armhf kernel and a busybox initramfs for it, in $(B)/linux/
# (vmlinuz, initrd.cpio.gz); cached: a second run fetches and builds nothing.
linux-guest: setup
	HV_BUILD=$(B) bash tools/linux-guest.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)/k $(B)/s $(B)/servers $(B)/unit $(B)/guests $(B)/hyp.elf $(B)/asm_offsets.h

-include $(shell find $(B)/k $(B)/s -name '*.d' 2>/dev/null)
