# shellcheck shell=bash
# Debian packages for the host build and tests, installed idempotently.
# Sourced by ./testbed. Binaries come from bookworm only; the QEMU and kernel
# build scripts add what they need themselves (see qemu-device/, kernel/).

CCE_BASE_PKGS=(
	build-essential cmake ninja-build pkg-config git
	clang libclang-rt-14-dev         # libFuzzer + sanitizers for the fuzz build
	libgtest-dev libgmock-dev libbenchmark-dev
	zlib1g-dev libssl-dev            # libcce software path; test oracles elsewhere
	libsystemc-dev                   # the engine model
	verilator                        # RTL cores (rtl-model/rtl)
	gzip
	libyaml-cpp-dev                  # scenario files (scenarios/runner)
)

# The VM: initramfs tools, firmware for a direct kernel boot, launcher tools.
CCE_VM_PKGS=(
	busybox-static cpio kmod file bc  # image.sh, vm.sh
	seabios qemu-system-data          # bios-256k.bin, linuxboot_dma.bin
	dmsetup cryptsetup-bin            # vm_dmcrypt puts them (and their libraries) into the guest
	kcapi-tools                       # vm_afalg: kcapi-dgst/kcapi-enc (libkcapi) put into the guest
	openssl python3-cryptography      # vm_afalg: expected results on the host (GCM: python3-cryptography)
)

# cce_missing_pkgs PKG...: prints the packages that are not installed.
cce_missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s\n' "$p"
	done
}

# cce_apt_install PKG...: installs what is missing; apt-get update first.
cce_apt_install() {
	local missing
	mapfile -t missing < <(cce_missing_pkgs "$@")
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			{ echo "testbed: need root to install: ${missing[*]}" >&2; return 1; }
		sudo=(sudo -n)
	fi
	echo "[deps] installing Debian packages: ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
		{ echo "testbed: apt-get update failed" >&2; return 1; }
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" ||
		{ echo "testbed: apt-get install failed for: ${missing[*]}" >&2; return 1; }
}
