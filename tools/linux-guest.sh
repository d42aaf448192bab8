#!/bin/bash
# Prepare an unmodified Debian armhf Linux guest: Debian's own kernel and a
# small busybox initramfs that loads the virtio drivers.
#
# Usage: tools/linux-guest.sh        (or `make linux-guest`)
#        HV_BUILD overrides <repo>/build.
#
# Produces, under $HV_BUILD/linux/:
#   vmlinuz          the zImage of linux-image-<abi>-armmp, unmodified
#   initrd.cpio.gz   newc cpio, gzip: busybox-static, the virtio modules
#                    (virtio_mmio, _blk, _net, _rng and the modules they need;
#                    plain .ko files), and /init (below)
#   versions         the packages and kernel release used
# and keeps the .debs in $HV_BUILD/linux/debs/. A second run with the same
# package versions (and this script unchanged) downloads and rebuilds nothing.
#
# The packages come from `apt-get download` (the armhf architecture is added
# to dpkg if missing, which needs root) and are unpacked with `dpkg-deb -x`:
# nothing is installed.
#
# The guest's /init: mounts proc, sys and devtmpfs, loads the modules in
# dependency order (a failure prints "init: module NAME failed to load" and
# boot goes on), writes "init: ready" to /dev/kmsg (a printk line, timestamped
# by the kernel; with `quiet`, add `loglevel=5` to see it on the console),
# then
#   - with hv.run=CMD on the kernel command line, runs CMD with `sh -c` and
#     prints "init: hv.run exit status N". CMD is one word
#     (hv.run=/bin/dmesg) or a double-quoted string without double quotes
#     inside (hv.run="cat /proc/interrupts; ls /dev"), which the kernel
#     accepts as one parameter;
#   - otherwise, runs an interactive shell on the console (job control works);
# and powers the machine off (`poweroff -f`, PSCI SYSTEM_OFF) when done.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${HV_BUILD:-$REPO/build}
OUT=$BUILD/linux
DEBS=$OUT/debs

KERNEL_META=linux-image-armmp
BUSYBOX=busybox-static
ARCH=armhf
# Modules wanted in the guest, with what they depend on (module_depends).
MODULES=(virtio virtio_ring virtio_mmio virtio_blk virtio_net virtio_rng)
# Fixed timestamps and ordering make the initramfs byte-for-byte repeatable.
EPOCH=${SOURCE_DATE_EPOCH:-0}

say() { echo "linux-guest: $*"; }
die() {
	echo "linux-guest: error: $*" >&2
	exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }

apt_update() {
	is_root || die "package lists need refreshing: run as root (or tools/setup.sh)"
	say "apt-get update"
	# A mirror can fail part of the update; what was fetched usually does.
	if ! apt-get update -qq; then
		say "warning: apt-get update partly failed; continuing"
	fi
}

ensure_armhf() {
	dpkg --print-foreign-architectures | grep -qx "$ARCH" && return 0
	is_root || die "dpkg has no $ARCH architecture: run tools/setup.sh as root"
	say "dpkg --add-architecture $ARCH"
	dpkg --add-architecture "$ARCH"
	apt_update
}

# candidate PKG: the version apt would fetch for PKG:armhf, or nothing.
candidate() {
	apt-cache policy "$1:$ARCH" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '^(none)$' || true
}

# kernel_package: the linux-image-<abi>-armmp package the metapackage needs.
kernel_package() {
	apt-cache depends "$KERNEL_META:$ARCH" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[^:]*-armmp\)\(:$ARCH\)\?\$/\1/p" | head -n1
}

# deb_file PKG VERSION: the name apt-get download gives the .deb.
deb_file() { echo "${1}_${2//:/%3a}_$ARCH.deb"; }

# fetch PKG VERSION: the .deb into $DEBS unless it is already there; older
# versions of PKG are dropped.
fetch() {
	local pkg=$1 ver=$2 file tmp
	file=$(deb_file "$pkg" "$ver")
	if [[ -f $DEBS/$file ]]; then
		say "cached $file"
		return 0
	fi
	say "downloading $pkg:$ARCH $ver"
	tmp=$(mktemp -d "$OUT/.fetch.XXXXXX")
	local sandbox=()
	# As root apt drops to _apt for downloads, which cannot write here.
	is_root && sandbox=(-o APT::Sandbox::User=root)
	if ! (cd "$tmp" && apt-get download -qq "${sandbox[@]}" "$pkg:$ARCH=$ver"); then
		rm -rf "$tmp"
		die "apt-get download $pkg:$ARCH=$ver failed"
	fi
	[[ -f $tmp/$file ]] || die "apt-get download gave no $file"
	rm -f "$DEBS/${pkg}_"*"_$ARCH.deb"
	mv "$tmp/$file" "$DEBS/$file"
	rm -rf "$tmp"
}

# modname PATH: the module name of a module file (dashes read as '_').
modname() {
	local b=${1##*/}
	b=${b%%.ko*}
	echo "${b//-/_}"
}

# module_depends KO: the modules KO needs, from the depends= field that
# modpost puts in its .modinfo section (what depmod's modules.dep is made
# from; the package ships no modules.dep, depmod runs at install).
module_depends() {
	LC_ALL=C readelf -p .modinfo "$1" | sed -n 's/^ *\[ *[0-9a-f]*\]  depends=//p' | tr ',' ' '
}

# module_order MODULES_DIR NAME...: sets ORDER to the module files (relative
# to MODULES_DIR) of NAME... and of what they depend on, each after what it
# needs. Built-in modules are skipped; an unknown one is an error.
module_order() {
	local dir=$1 path m
	shift
	declare -gA MOD_PATH=() MOD_SEEN=()
	ORDER=()
	while read -r path; do
		m=${path##*/}
		m=${m%%.ko*}
		MOD_PATH[${m//-/_}]=$path
	done <"$dir/modules.order"
	for m in "$@"; do
		visit_module "$dir" "$m"
	done
}

visit_module() {
	local dir=$1 m=$2 d
	[[ -n ${MOD_SEEN[$m]:-} ]] && return 0
	MOD_SEEN[$m]=1
	if [[ -z ${MOD_PATH[$m]:-} ]]; then
		grep -q "/\(${m}\|${m//_/-}\)\.ko\$" "$dir/modules.builtin" ||
			die "module $m is neither in modules.order nor built in"
		say "module $m is built into the kernel"
		return 0
	fi
	[[ -f $dir/${MOD_PATH[$m]} ]] || die "module file ${MOD_PATH[$m]} missing"
	for d in $(module_depends "$dir/${MOD_PATH[$m]}"); do
		visit_module "$dir" "$(modname "$d")"
	done
	ORDER+=("${MOD_PATH[$m]}")
}

# The guest's /init (busybox sh). Kept here so that one file makes the guest.
write_init() {
	cat >"$1" <<'EOF'
#!/bin/busybox sh
# /init of the hv Linux guest (made by tools/linux-guest.sh; see there).
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

kver=$(uname -r)
while read -r m; do
	insmod "/lib/modules/$kver/$m.ko" || echo "init: module $m failed to load"
done </etc/modules.order
echo "init: ready" >/dev/kmsg

cmdline=" $(cat /proc/cmdline)"
run=
case "$cmdline" in
*' hv.run="'*)
	run=${cmdline#* hv.run=\"}
	run=${run%%\"*}
	;;
*' hv.run='*)
	run=${cmdline#* hv.run=}
	run=${run%% *}
	;;
esac
if [ -n "$run" ]; then
	sh -c "$run"
	echo "init: hv.run exit status $?"
else
	# a session with the console as controlling tty: job control works
	setsid cttyhack sh -l
fi
poweroff -f
EOF
	chmod 755 "$1"
}

# build_initrd KERNEL_ROOT BUSYBOX_ROOT KVER OUTFILE
build_initrd() {
	local kroot=$1 broot=$2 kver=$3 out=$4 root=$WORK/initrd
	local mdir=$kroot/lib/modules/$kver
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
	mkdir -p "$root/lib/modules/$kver"
	cp "$broot/bin/busybox" "$root/bin/busybox"
	write_init "$root/init"

	module_order "$mdir" "${MODULES[@]}"
	: >"$root/etc/modules.order"
	local p name
	for p in "${ORDER[@]}"; do
		name=$(modname "$p")
		case $p in
		*.ko.xz) # busybox insmod may not read them: plain .ko in the guest
			xz -dc "$mdir/$p" >"$root/lib/modules/$kver/$name.ko" ;;
		*.ko) cp "$mdir/$p" "$root/lib/modules/$kver/$name.ko" ;;
		*) die "unexpected module file $p" ;;
		esac
		echo "$name" >>"$root/etc/modules.order"
	done
	local order
	order=$(tr '\n' ' ' <"$root/etc/modules.order")
	say "modules, in load order: ${order% }"

	find "$root" -exec touch -h -d "@$EPOCH" {} +
	(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$out"
}

main() {
	command -v cpio >/dev/null || die "cpio not found: run tools/setup.sh"
	ensure_armhf
	mkdir -p "$DEBS"

	local kpkg kver_pkg bver
	kpkg=$(kernel_package)
	if [[ -z $kpkg || -z $(candidate "$BUSYBOX") ]]; then
		apt_update
		kpkg=$(kernel_package)
	fi
	[[ -n $kpkg ]] || die "cannot resolve $KERNEL_META:$ARCH to a kernel package"
	kver_pkg=$(candidate "$kpkg")
	bver=$(candidate "$BUSYBOX")
	[[ -n $kver_pkg && -n $bver ]] || die "no candidate version for $kpkg or $BUSYBOX ($ARCH)"

	local kdeb bdeb stamp
	kdeb=$(deb_file "$kpkg" "$kver_pkg")
	bdeb=$(deb_file "$BUSYBOX" "$bver")
	stamp=$(printf '%s\n' "$kdeb" "$bdeb" "${MODULES[*]}" "$EPOCH" |
		cat - "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)
	if [[ -f $OUT/vmlinuz && -f $OUT/initrd.cpio.gz && -f $OUT/.stamp &&
		$(cat "$OUT/.stamp") == "$stamp" ]]; then
		say "up to date ($kpkg $kver_pkg, $BUSYBOX $bver)"
		return 0
	fi

	fetch "$kpkg" "$kver_pkg"
	fetch "$BUSYBOX" "$bver"

	WORK=$(mktemp -d "$OUT/.work.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	say "unpacking"
	dpkg-deb -x "$DEBS/$kdeb" "$WORK/kernel"
	dpkg-deb -x "$DEBS/$bdeb" "$WORK/busybox"
	local images=("$WORK"/kernel/boot/vmlinuz-*)
	if ((${#images[@]} != 1)) || [[ ! -f ${images[0]} ]]; then
		die "no single boot/vmlinuz-* in $kdeb"
	fi
	local kver=${images[0]##*/vmlinuz-}

	say "building initrd.cpio.gz for $kver"
	build_initrd "$WORK/kernel" "$WORK/busybox" "$kver" "$WORK/initrd.cpio.gz"
	cp "${images[0]}" "$WORK/vmlinuz"
	printf '%s %s\n%s %s\nkernel-release %s\n' "$kpkg" "$kver_pkg" "$BUSYBOX" "$bver" \
		"$kver" >"$WORK/versions"

	rm -f "$OUT/.stamp"
	mv -f "$WORK/vmlinuz" "$WORK/initrd.cpio.gz" "$WORK/versions" "$OUT/"
	echo "$stamp" >"$OUT/.stamp"
	say "done: ${OUT#"$REPO"/}/vmlinuz ($(stat -c %s "$OUT/vmlinuz") bytes)," \
		"${OUT#"$REPO"/}/initrd.cpio.gz ($(stat -c %s "$OUT/initrd.cpio.gz") bytes)"
}

main "$@"
