#!/bin/bash
# Make a Debian 12 machine ready to build, test and run the hypervisor.
#
# Usage: tools/setup.sh            (as root; HV_BUILD overrides <repo>/build)
#
# Idempotent: when every package is installed and libfdt for armhf is already
# unpacked, it only checks and prints "setup: everything present". apt-get is
# called only for what is missing.
#
# libfdt-dev:armhf conflicts with the host libfdt-dev, so it is not installed
# but downloaded and unpacked into $HV_BUILD/deps/libfdt-armhf/, giving
#   usr/include/libfdt.h, fdt.h, libfdt_env.h
#   usr/lib/arm-linux-gnueabihf/libfdt.a
# The same way linux-libc-dev:armhf (the kernel's UAPI headers for 32-bit ARM:
# <linux/virtio_*.h> and the <asm/types.h> they need) goes into
# $HV_BUILD/deps/linux-libc-armhf/; an installed one would have to match the
# host's linux-libc-dev version exactly (Multi-Arch: same).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${HV_BUILD:-$REPO/build}
DEPS=$BUILD/deps
LIBFDT_ARMHF=$DEPS/libfdt-armhf
LINUX_ARMHF=$DEPS/linux-libc-armhf

PACKAGES=(
	gcc make
	gcc-arm-none-eabi binutils-arm-none-eabi
	qemu-system-arm
	device-tree-compiler libfdt-dev
	libcmocka-dev
	python3-pytest python3-pexpect
	linux-libc-dev
	cpio
	musl-dev:armhf
)

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

NATIVE_ARCH=$(dpkg --print-architecture)

# is_installed PKG[:ARCH]: true when dpkg has it fully installed. Without an
# explicit architecture, only the native one (or "all") counts.
is_installed() {
	local name=${1%%:*} arch='' out status a
	[[ $1 == *:* ]] && arch=${1#*:}
	out=$(dpkg-query -W -f='${db:Status-Abbrev} ${Architecture}\n' "$name" 2>/dev/null) || return 1
	while read -r status a; do
		[[ $status == ii ]] || continue
		if [[ -n $arch ]]; then
			[[ $a == "$arch" ]] && return 0
		else
			[[ $a == "$NATIVE_ARCH" || $a == all ]] && return 0
		fi
	done <<<"$out"
	return 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

apt_update() {
	say "apt-get update"
	# A mirror can fail part of the update (a hash mismatch was seen here);
	# what was fetched is usually enough to install, so go on.
	if ! apt-get update -qq; then
		say "warning: apt-get update partly failed; continuing"
	fi
}

libfdt_armhf_present() {
	[[ -f $LIBFDT_ARMHF/usr/include/libfdt.h &&
		-f $LIBFDT_ARMHF/usr/lib/arm-linux-gnueabihf/libfdt.a ]]
}

linux_armhf_present() {
	[[ -f $LINUX_ARMHF/usr/include/linux/virtio_ring.h &&
		-f $LINUX_ARMHF/usr/include/arm-linux-gnueabihf/asm/types.h ]]
}

# fetch_deb PACKAGE:armhf DIR: apt-get download + dpkg-deb -x, unpacked into
# a temporary directory first so that a half-done run is never taken as done.
fetch_deb() {
	local pkg=$1 dir=$2 tmp
	mkdir -p "$DEPS"
	tmp=$(mktemp -d "$DEPS/.fetch.XXXXXX")
	say "fetching $pkg into ${dir#"$REPO"/}"
	local sandbox=()
	# As root apt drops to _apt for downloads and warns when _apt cannot
	# write here; downloading as root is fine for a single .deb.
	is_root && sandbox=(-o APT::Sandbox::User=root)
	if ! (cd "$tmp" && apt-get download -qq "${sandbox[@]}" "$pkg"); then
		rm -rf "$tmp"
		return 1
	fi
	local deb
	deb=$(ls "$tmp"/"${pkg%%:*}"_*_armhf.deb)
	dpkg-deb -x "$deb" "$tmp/root"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	rm -rf "$tmp"
}

fetch_libfdt_armhf() {
	fetch_deb libfdt-dev:armhf "$LIBFDT_ARMHF" || return 1
	libfdt_armhf_present || die "libfdt-dev:armhf unpacked but libfdt.h/libfdt.a not found in $LIBFDT_ARMHF"
}

fetch_linux_armhf() {
	fetch_deb linux-libc-dev:armhf "$LINUX_ARMHF" || return 1
	linux_armhf_present || die "linux-libc-dev:armhf unpacked but linux/virtio_ring.h or asm/types.h not found in $LINUX_ARMHF"
}

# fetch_or_refresh NAME: run fetch_NAME, refreshing the package lists once
# when the download fails (they may be missing or stale).
fetch_or_refresh() {
	local what=$1
	"fetch_$what" && return 0
	((updated)) && die "apt-get download for $what failed"
	is_root || die "apt-get download for $what failed (run as root to refresh the package lists)"
	apt_update
	updated=1
	"fetch_$what" || die "apt-get download for $what failed"
}

main() {
	local need_arch=0 missing=()
	updated=0

	dpkg --print-foreign-architectures | grep -qx armhf || need_arch=1
	for p in "${PACKAGES[@]}"; do
		is_installed "$p" || missing+=("$p")
	done

	if ((need_arch == 0 && ${#missing[@]} == 0)) && libfdt_armhf_present && linux_armhf_present; then
		say "everything present"
		return 0
	fi

	if ! is_root && ((need_arch || ${#missing[@]})); then
		local what=("${missing[@]}")
		((need_arch)) && what=("armhf architecture (dpkg --add-architecture armhf)" "${what[@]}")
		die "not root; missing: ${what[*]}"
	fi

	if ((need_arch)); then
		say "dpkg --add-architecture armhf"
		dpkg --add-architecture armhf
	fi

	if ((need_arch || ${#missing[@]})); then
		apt_update
		updated=1
	fi

	if ((${#missing[@]})); then
		say "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
		local still=()
		for p in "${missing[@]}"; do
			is_installed "$p" || still+=("$p")
		done
		((${#still[@]} == 0)) || die "still missing after apt-get install: ${still[*]}"
	fi

	libfdt_armhf_present || fetch_or_refresh libfdt_armhf
	linux_armhf_present || fetch_or_refresh linux_armhf
	say "done"
}

main "$@"
