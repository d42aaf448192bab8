# Test guests: tiny bare-metal ARMv7-A programs, one behaviour each, that
# the integration tests (tests/integration) boot under the hypervisor.
#
# Included by the top-level Makefile, or used on its own from the repository
# root:
#
#     make -f tests/guests/guests.mk            # builds every guest
#     make -f tests/guests/guests.mk guests-clean
#
# Produces build/guests/NAME.elf and build/guests/NAME.bin (raw image, load
# and entry at 0x40008000) for every NAME in GUESTS.
#
# Needs: arm-none-eabi-gcc (CROSS), musl-dev:armhf (headers in
# /usr/include/arm-linux-musleabihf, libc.a in /usr/lib/arm-linux-musleabihf)
# and libfdt-dev:armhf unpacked under $(HV_BUILD)/deps/libfdt-armhf (a
# Makefile that builds that tree should make $(GUEST_LIBFDT_A) depend on
# its rule; on its own this fragment only checks that it is there).
#
# Every variable here is GUEST_-prefixed (except GUESTS, CROSS and HV_BUILD)
# so the fragment can be included next to the hypervisor's own rules.

_guests_saved_goal := $(.DEFAULT_GOAL)
_guests_standalone := $(words $(MAKEFILE_LIST))

CROSS ?= arm-none-eabi-
HV_BUILD ?= build

GUESTS := hello seq gicd psci unmapped hostile isolation bench uartirq vfp banked uartrx virtiorng manyirq virtioblk

GUEST_SRC := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GUEST_OUT := $(HV_BUILD)/guests
GUEST_OBJ := $(GUEST_OUT)/obj

GUEST_CC := $(CROSS)gcc
GUEST_OBJCOPY := $(CROSS)objcopy

GUEST_MUSL_INC := /usr/include/arm-linux-musleabihf
GUEST_MUSL_LIBC := /usr/lib/arm-linux-musleabihf/libc.a
GUEST_LIBFDT := $(HV_BUILD)/deps/libfdt-armhf/usr
GUEST_LIBFDT_A := $(GUEST_LIBFDT)/lib/arm-linux-gnueabihf/libfdt.a
# linux-libc-dev:armhf unpacked by tools/setup.sh: <linux/virtio_*.h>
GUEST_LINUX := $(HV_BUILD)/deps/linux-libc-armhf/usr/include

GUEST_ARCH := -mcpu=cortex-a15 -marm -mfloat-abi=hard -mfpu=vfpv3-d16
# -mno-unaligned-access: the guests run with the MMU off, where every data
# access is Strongly-ordered and an unaligned one faults.
GUEST_CFLAGS := -std=c11 -O2 -g $(GUEST_ARCH) -mno-unaligned-access \
	-fno-short-enums -ffreestanding -fno-stack-protector \
	-nostdinc -isystem $(GUEST_MUSL_INC) \
	-isystem $(shell $(GUEST_CC) -print-file-name=include) \
	-isystem $(GUEST_LINUX) -isystem $(GUEST_LINUX)/arm-linux-gnueabihf \
	-I$(GUEST_LIBFDT)/include -Ilib/include -I$(GUEST_SRC)/lib \
	-Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -MMD -MP
GUEST_ASFLAGS := $(GUEST_ARCH) -g -I$(GUEST_SRC)/lib -MMD -MP
GUEST_LDFLAGS := $(GUEST_ARCH) -nostdlib -Wl,--no-warn-rwx-segments \
	-Wl,--no-enum-size-warning -Wl,-z,noexecstack \
	-T $(GUEST_SRC)/lib/guest.ld
GUEST_LIBS := $(GUEST_LIBFDT_A) $(GUEST_MUSL_LIBC) -lgcc

GUEST_LIB_OBJS := $(GUEST_OBJ)/lib/start.o $(GUEST_OBJ)/lib/probe.o \
	$(GUEST_OBJ)/lib/guest.o

GUEST_ELFS := $(GUESTS:%=$(GUEST_OUT)/%.elf)
GUEST_BINS := $(GUESTS:%=$(GUEST_OUT)/%.bin)

.PHONY: guests guests-clean
guests: $(GUEST_ELFS) $(GUEST_BINS)

$(GUEST_OBJ)/lib/%.o: $(GUEST_SRC)/lib/%.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_OBJ)/lib/%.o: $(GUEST_SRC)/lib/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OBJ)/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.elf: $(GUEST_OBJ)/%.o $(GUEST_LIB_OBJS) $(GUEST_SRC)/lib/guest.ld \
		$(GUEST_LIBFDT_A) $(GUEST_MUSL_LIBC)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(GUEST_LIB_OBJS) $< $(GUEST_LIBS)

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

# The guest objects need the libfdt headers, which come with the library.
$(GUEST_LIB_OBJS) $(GUESTS:%=$(GUEST_OBJ)/%.o): | $(GUEST_LIBFDT_A)

guests-clean:
	rm -rf $(GUEST_OUT)

-include $(wildcard $(GUEST_OBJ)/*.d $(GUEST_OBJ)/lib/*.d)

# Keep the includer's default goal; on our own, build the guests.
ifeq ($(_guests_standalone),1)
.DEFAULT_GOAL := guests
else
.DEFAULT_GOAL := $(_guests_saved_goal)
endif
