// SPDX-License-Identifier: MIT
// cce-kcheck: the guest side of the kernel-user fault scenarios. It tells
// "wrong data" from "I/O error" for kernel users of the device (dm-crypt on
// xts-aes-cce, zswap on deflate-cce), where the data path is the kernel's
// and the only things a process sees are the bytes and the errno.
//
//   cce-kcheck dm-create NAME DEV HEXKEY [--sector-size N]
//       a dm-crypt mapping NAME (aes-xts-plain64, HEXKEY, whole DEV) made
//       with the device-mapper ioctls (no dmsetup in the guest), node at
//       /dev/mapper/NAME
//   cce-kcheck dm-remove NAME
//   cce-kcheck blocks DEV [--blocks N] [--io-blocks K] [--passes P] [--seed S]
//                         [--retries R]
//       per pass: write a pattern (seed, pass, block) with O_DIRECT, K
//       blocks of 4 KiB per call; a failed call is redone block by block
//       (up to R tries each) so every block's write outcome is known; then
//       read every block back (O_DIRECT, K per call, a failed call again
//       block by block) and classify it: ok, eio (the read kept failing),
//       corrupt (data returned without an error that is neither what was
//       written nor, after a failed write, what was there before).
//   cce-kcheck anon [--mib M] [--passes P] [--seed S]
//       map M MiB of anonymous memory, fill every page with a pattern of
//       its index and the seed (compressible: 64 bytes repeated), then P times read every page back (under
//       memory pressure: swap, zswap) and classify it: ok, sigbus (the
//       kernel could not bring the page back: SIGBUS on access), corrupt.
//
// Every failing system call is counted by errno. Exit status: 0 no corrupt
// data and no errno other than EIO; 3 corrupt data or another errno
// reached the user; 1 setup error; 2 usage.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace {

constexpr size_t kBlock = 4096;

[[noreturn]] void usage(int rc) {
    std::fprintf(rc ? stderr : stdout,
                 "usage: cce-kcheck dm-create NAME DEV HEXKEY [--sector-size N]\n"
                 "       cce-kcheck dm-remove NAME\n"
                 "       cce-kcheck blocks DEV [--blocks N] [--io-blocks K] [--passes P] [--seed S] [--retries R]\n"
                 "       cce-kcheck anon [--mib M] [--passes P] [--seed S]\n");
    std::exit(rc);
}

uint64_t num(const char* s, const char* what) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s, &end, 0);
    if (errno || !end || *end || end == s) {
        std::fprintf(stderr, "cce-kcheck: bad %s '%s'\n", what, s);
        usage(2);
    }
    return v;
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// 4 KiB of pattern for (tag, index): every 8-byte word differs, so a block
// from elsewhere, a stale block or a flipped bit never matches.
void fill(uint8_t* p, uint64_t tag, uint64_t index) {
    const uint64_t base = mix(tag) ^ (index * 0x100000001b3ull);
    for (size_t i = 0; i < kBlock / 8; ++i) {
        const uint64_t w = mix(base + i);
        std::memcpy(p + 8 * i, &w, 8);
    }
}

// A compressible page for zswap: 64 bytes of pattern for (tag, index),
// repeated; still unique per page, and any changed byte shows.
void fill_compressible(uint8_t* p, uint64_t tag, uint64_t index) {
    const uint64_t base = mix(tag) ^ (index * 0x100000001b3ull);
    for (size_t i = 0; i < kBlock / 8; ++i) {
        const uint64_t w = mix(base + i % 8);
        std::memcpy(p + 8 * i, &w, 8);
    }
}

bool matches(const uint8_t* p, uint64_t tag, uint64_t index, bool compressible = false) {
    alignas(64) uint8_t want[kBlock];
    (compressible ? fill_compressible : fill)(want, tag, index);
    return std::memcmp(p, want, kBlock) == 0;
}

struct Errnos {
    std::map<int, uint64_t> n;
    void add(int e) { ++n[e]; }
    uint64_t others() const {
        uint64_t c = 0;
        for (const auto& [e, k] : n)
            if (e != EIO) c += k;
        return c;
    }
    std::string text() const {
        std::string s;
        for (const auto& [e, k] : n) {
            char b[96];
            std::snprintf(b, sizeof b, "%s%s(%d)=%llu", s.empty() ? "" : ",", strerrorname_np(e) ? strerrorname_np(e) : "?",
                          e, static_cast<unsigned long long>(k));
            s += b;
        }
        return s.empty() ? "none" : s;
    }
};

// ----------------------------------------------------------------- dm --

struct DmIoctl {
    alignas(8) uint8_t buf[16384];
    dm_ioctl* io() { return reinterpret_cast<dm_ioctl*>(buf); }
    explicit DmIoctl(const std::string& name) {
        std::memset(buf, 0, sizeof buf);
        io()->version[0] = DM_VERSION_MAJOR;
        io()->version[1] = 0;
        io()->version[2] = 0;
        io()->data_size = sizeof buf;
        io()->data_start = sizeof(dm_ioctl);
        std::snprintf(io()->name, sizeof io()->name, "%s", name.c_str());
    }
};

int dm_call(int fd, unsigned long req, DmIoctl& d, const char* what) {
    if (ioctl(fd, req, d.io()) != 0) {
        std::fprintf(stderr, "cce-kcheck: %s: %s\n", what, std::strerror(errno));
        return -1;
    }
    return 0;
}

int dm_open() {
    int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        mkdir("/dev/mapper", 0755);
        // misc major 10; the control node's minor is DM's (236).
        if (mknod("/dev/mapper/control", S_IFCHR | 0600, makedev(10, 236)) == 0 || errno == EEXIST)
            fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
    }
    if (fd < 0) std::fprintf(stderr, "cce-kcheck: /dev/mapper/control: %s\n", std::strerror(errno));
    return fd;
}

int dm_create(int argc, char** argv) {
    if (argc < 5) usage(2);
    const std::string name = argv[2], dev = argv[3], key = argv[4];
    unsigned sector_size = 4096;
    for (int i = 5; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--sector-size") && i + 1 < argc) sector_size = unsigned(num(argv[++i], "sector size"));
        else usage(2);
    }
    const int bfd = open(dev.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    uint64_t bytes = 0;
    if (bfd < 0 || fstat(bfd, &st) != 0 || !S_ISBLK(st.st_mode) || ioctl(bfd, BLKGETSIZE64, &bytes) != 0) {
        std::fprintf(stderr, "cce-kcheck: %s is not a usable block device\n", dev.c_str());
        return 1;
    }
    close(bfd);
    const int fd = dm_open();
    if (fd < 0) return 1;

    DmIoctl c(name);
    if (dm_call(fd, DM_DEV_CREATE, c, "DM_DEV_CREATE")) return 1;
    const dev_t mdev = dev_t(c.io()->dev);

    DmIoctl t(name);
    t.io()->target_count = 1;
    auto* spec = reinterpret_cast<dm_target_spec*>(t.buf + sizeof(dm_ioctl));
    spec->sector_start = 0;
    spec->length = bytes / 512;
    std::snprintf(spec->target_type, sizeof spec->target_type, "crypt");
    char* params = reinterpret_cast<char*>(spec + 1);
    const size_t room = sizeof t.buf - sizeof(dm_ioctl) - sizeof(dm_target_spec);
    const int n = std::snprintf(params, room, "aes-xts-plain64 %s 0 %u:%u 0 1 sector_size:%u", key.c_str(),
                                major(st.st_rdev), minor(st.st_rdev), sector_size);
    if (n < 0 || size_t(n) >= room) return 1;
    spec->next = 0;
    t.io()->data_size = uint32_t(sizeof(dm_ioctl) + sizeof(dm_target_spec) + ((size_t(n) + 8) & ~size_t(7)));
    if (dm_call(fd, DM_TABLE_LOAD, t, "DM_TABLE_LOAD (crypt target)")) return 1;

    DmIoctl r(name);  // resume = suspend without DM_SUSPEND_FLAG
    if (dm_call(fd, DM_DEV_SUSPEND, r, "DM_DEV_SUSPEND (resume)")) return 1;
    close(fd);

    const std::string node = "/dev/mapper/" + name;
    unlink(node.c_str());
    if (mknod(node.c_str(), S_IFBLK | 0600, mdev) != 0) {
        std::fprintf(stderr, "cce-kcheck: mknod %s: %s\n", node.c_str(), std::strerror(errno));
        return 1;
    }
    std::printf("DM: %s = crypt aes-xts-plain64 over %s (%llu sectors, sector_size %u), dev %u:%u\n", node.c_str(),
                dev.c_str(), static_cast<unsigned long long>(bytes / 512), sector_size, major(mdev), minor(mdev));
    return 0;
}

int dm_remove(int argc, char** argv) {
    if (argc != 3) usage(2);
    const int fd = dm_open();
    if (fd < 0) return 1;
    DmIoctl d(argv[2]);
    if (dm_call(fd, DM_DEV_REMOVE, d, "DM_DEV_REMOVE")) return 1;
    close(fd);
    unlink((std::string("/dev/mapper/") + argv[2]).c_str());
    return 0;
}

// ------------------------------------------------------------- blocks --

struct BlockTotals {
    uint64_t written = 0, write_failed_calls = 0, unwritten = 0;
    uint64_t ok = 0, stale = 0, eio = 0, eio_recovered = 0, corrupt = 0, read_failed_calls = 0;
    Errnos errs;
};

void print_blocks(const char* label, const BlockTotals& t) {
    std::printf("%s written=%llu write_failed_calls=%llu unwritten=%llu ok=%llu stale=%llu eio=%llu "
                "eio_recovered=%llu corrupt=%llu read_failed_calls=%llu errnos=%s other_errno=%llu\n",
                label, static_cast<unsigned long long>(t.written), static_cast<unsigned long long>(t.write_failed_calls),
                static_cast<unsigned long long>(t.unwritten), static_cast<unsigned long long>(t.ok),
                static_cast<unsigned long long>(t.stale), static_cast<unsigned long long>(t.eio),
                static_cast<unsigned long long>(t.eio_recovered), static_cast<unsigned long long>(t.corrupt),
                static_cast<unsigned long long>(t.read_failed_calls), t.errs.text().c_str(),
                static_cast<unsigned long long>(t.errs.others()));
    std::fflush(stdout);
}

void add_totals(BlockTotals& a, const BlockTotals& b) {
    a.written += b.written;
    a.write_failed_calls += b.write_failed_calls;
    a.unwritten += b.unwritten;
    a.ok += b.ok;
    a.stale += b.stale;
    a.eio += b.eio;
    a.eio_recovered += b.eio_recovered;
    a.corrupt += b.corrupt;
    a.read_failed_calls += b.read_failed_calls;
    for (const auto& [e, k] : b.errs.n) a.errs.n[e] += k;
}

// One pread/pwrite of exactly len bytes; returns 0 or the errno (a short
// transfer counts as EIO: O_DIRECT on a block device transfers whole blocks).
int xfer(int fd, bool wr, uint8_t* p, size_t len, off_t off) {
    const ssize_t n = wr ? pwrite(fd, p, len, off) : pread(fd, p, len, off);
    if (n < 0) return errno;
    return size_t(n) == len ? 0 : EIO;
}

int blocks(int argc, char** argv) {
    if (argc < 3) usage(2);
    const char* dev = argv[2];
    uint64_t nblocks = 0, io_blocks = 16, passes = 1, seed = 1, retries = 3;
    for (int i = 3; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage(2);
        if (a == "--blocks") nblocks = num(argv[++i], "--blocks");
        else if (a == "--io-blocks") io_blocks = num(argv[++i], "--io-blocks");
        else if (a == "--passes") passes = num(argv[++i], "--passes");
        else if (a == "--seed") seed = num(argv[++i], "--seed");
        else if (a == "--retries") retries = num(argv[++i], "--retries");
        else usage(2);
    }
    const int fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "cce-kcheck: %s: %s\n", dev, std::strerror(errno));
        return 1;
    }
    if (!nblocks) {
        uint64_t bytes = 0;
        if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) return 1;
        nblocks = bytes / kBlock;
    }
    if (!io_blocks || !retries || !nblocks) usage(2);
    void* mem = nullptr;
    if (posix_memalign(&mem, kBlock, io_blocks * kBlock)) return 1;
    auto* buf = static_cast<uint8_t*>(mem);

    // What each block should hold: the tag of its last successful write,
    // and after a failed write the tag it tried (either may be on disk).
    constexpr uint64_t kNone = ~0ull;
    std::vector<uint64_t> have(nblocks, kNone), tried(nblocks, kNone);
    BlockTotals all;
    unsigned reported = 0;
    auto report = [&reported](const char* what, uint64_t pass, uint64_t b, int e) {
        if (reported++ < 40)
            std::printf("BLOCK pass=%llu block=%llu %s errno=%d (%s)\n", static_cast<unsigned long long>(pass),
                        static_cast<unsigned long long>(b), what, e, e ? std::strerror(e) : "-");
    };

    for (uint64_t pass = 0; pass < passes; ++pass) {
        BlockTotals t;
        const uint64_t tag = mix(seed) + pass;
        // One block (in buf) again, up to `retries` times, after its
        // multi-block call failed: every failure is counted and reported.
        // Returns the last errno (0: done); *failed says whether any try
        // failed.
        auto retry_block = [&](bool write, uint64_t b, bool* failed) {
            int e = 0;
            for (uint64_t r = 0; r < retries; ++r) {
                e = xfer(fd, write, buf, kBlock, off_t(b * kBlock));
                if (!e) break;
                *failed = true;
                t.errs.add(e);
                report(write ? "write-failed" : "read-failed", pass, b, e);
            }
            return e;
        };
        for (uint64_t b0 = 0; b0 < nblocks; b0 += io_blocks) {
            const uint64_t k = std::min(io_blocks, nblocks - b0);
            for (uint64_t j = 0; j < k; ++j) fill(buf + j * kBlock, tag, b0 + j);
            int e = xfer(fd, true, buf, k * kBlock, off_t(b0 * kBlock));
            if (!e) {
                for (uint64_t j = 0; j < k; ++j) have[b0 + j] = tag, tried[b0 + j] = kNone;
                t.written += k;
                continue;
            }
            ++t.write_failed_calls;
            t.errs.add(e);
            report("write-call-failed", pass, b0, e);
            for (uint64_t j = 0; j < k; ++j) {
                const uint64_t b = b0 + j;
                fill(buf, tag, b);
                bool failed = false;
                e = retry_block(true, b, &failed);
                if (!e) {
                    have[b] = tag, tried[b] = kNone;
                    ++t.written;
                } else {
                    tried[b] = tag;
                    ++t.unwritten;
                }
            }
        }
        if (fsync(fd) != 0) {
            t.errs.add(errno);
            report("fsync-failed", pass, 0, errno);
        }
        if (FILE* f = std::fopen("/proc/sys/vm/drop_caches", "w")) {
            std::fputs("3\n", f);
            std::fclose(f);
        }

        // Classify one block that is in buf: ok / stale / corrupt.
        auto judge = [&](const uint8_t* p, uint64_t b) {
            if (have[b] != kNone && matches(p, have[b], b)) {
                ++(tried[b] == kNone ? t.ok : t.stale);
            } else if (tried[b] != kNone && matches(p, tried[b], b)) {
                ++t.ok;  // a failed write that reached the disk anyway
            } else if (have[b] == kNone && tried[b] != kNone) {
                ++t.stale;  // never written: whatever was there before
            } else {
                ++t.corrupt;
                report("CORRUPT", pass, b, 0);
            }
        };
        for (uint64_t b0 = 0; b0 < nblocks; b0 += io_blocks) {
            const uint64_t k = std::min(io_blocks, nblocks - b0);
            int e = xfer(fd, false, buf, k * kBlock, off_t(b0 * kBlock));
            if (!e) {
                for (uint64_t j = 0; j < k; ++j) judge(buf + j * kBlock, b0 + j);
                continue;
            }
            ++t.read_failed_calls;
            t.errs.add(e);
            report("read-call-failed", pass, b0, e);
            for (uint64_t j = 0; j < k; ++j) {
                const uint64_t b = b0 + j;
                bool failed = false;
                e = retry_block(false, b, &failed);
                if (e) {
                    ++t.eio;
                } else {
                    if (failed) ++t.eio_recovered;
                    judge(buf, b);
                }
            }
        }
        char label[48];
        std::snprintf(label, sizeof label, "BLOCKS pass=%llu", static_cast<unsigned long long>(pass + 1));
        print_blocks(label, t);
        add_totals(all, t);
    }
    close(fd);
    std::free(mem);
    std::printf("BLOCKS-TOTAL blocks=%llu passes=%llu ", static_cast<unsigned long long>(nblocks),
                static_cast<unsigned long long>(passes));
    print_blocks("result", all);
    return all.corrupt || all.errs.others() ? 3 : 0;
}

// --------------------------------------------------------------- anon --

sigjmp_buf g_jmp;
volatile sig_atomic_t g_in_check = 0;

void on_sigbus(int) {
    if (!g_in_check) {
        signal(SIGBUS, SIG_DFL);
        raise(SIGBUS);
        return;
    }
    siglongjmp(g_jmp, 1);
}

// Any other fault is reported with its address and ends the run (exit 4).
const uint8_t* g_area = nullptr;
size_t g_area_len = 0;

void on_fatal(int sig, siginfo_t* si, void*) {
    char b[160];
    const auto a = reinterpret_cast<uintptr_t>(si->si_addr);
    const auto base = reinterpret_cast<uintptr_t>(g_area);
    const bool in = a >= base && a < base + g_area_len;
    const int n = std::snprintf(b, sizeof b, "ANON: fatal signal %d code %d at %#lx (%s, in_check %d)\n", sig,
                                si->si_code, static_cast<unsigned long>(a), in ? "test area" : "outside the test area",
                                int(g_in_check));
    if (n > 0 && write(1, b, size_t(n)) < 0) _exit(5);
    _exit(4);
}

// Copy one page; 1 when the access raised SIGBUS. Its own frame, so that
// nothing the caller keeps in registers is live across the sigsetjmp.
[[gnu::noinline]] int read_page(const uint8_t* src, uint8_t* dst) {
    g_in_check = 1;
    if (sigsetjmp(g_jmp, 1)) {
        g_in_check = 0;
        return 1;
    }
    // The fences keep the copy between the flag writes (without them the
    // compiler may clear the flag before the copy runs).
    std::atomic_signal_fence(std::memory_order_seq_cst);
    std::memcpy(dst, src, kBlock);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    g_in_check = 0;
    return 0;
}

int anon(int argc, char** argv) {
    uint64_t mib = 64, passes = 2, seed = 1;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage(2);
        if (a == "--mib") mib = num(argv[++i], "--mib");
        else if (a == "--passes") passes = num(argv[++i], "--passes");
        else if (a == "--seed") seed = num(argv[++i], "--seed");
        else usage(2);
    }
    const size_t pages = size_t(mib) * (1 << 20) / kBlock;
    if (!pages || !passes) usage(2);
    // A page that raised SIGBUS once is lost (its swap cache folio is not
    // up to date): it is not touched again, so later passes skip it.
    std::vector<uint8_t> lost(pages, 0);
    // Keep this process's own memory (stack, heap, the lost map, stdio)
    // resident: a failed swap-in must hit the test pages, where it is
    // counted, not the bookkeeping, where it would kill the process.
    if (mlockall(MCL_CURRENT) != 0)
        std::printf("ANON: mlockall: %s (bookkeeping pages may be swapped)\n", std::strerror(errno));
    void* m = mmap(nullptr, pages * kBlock, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        std::fprintf(stderr, "cce-kcheck: mmap %llu MiB: %s\n", static_cast<unsigned long long>(mib), std::strerror(errno));
        return 1;
    }
    auto* mem = static_cast<uint8_t*>(m);
    struct sigaction sa{};
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGBUS, &sa, nullptr);
    struct sigaction fa{};
    fa.sa_sigaction = on_fatal;
    sigemptyset(&fa.sa_mask);
    fa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &fa, nullptr);
    g_area = mem;
    g_area_len = pages * kBlock;

    const uint64_t tag = mix(seed ^ 0x616e6f6eull);
    for (size_t i = 0; i < pages; ++i) fill_compressible(mem + i * kBlock, tag, i);
    std::printf("ANON: %zu pages (%llu MiB) written\n", pages, static_cast<unsigned long long>(mib));
    std::fflush(stdout);

    uint64_t ok = 0, sigbus = 0, corrupt = 0, skipped = 0;
    unsigned reported = 0;
    for (uint64_t pass = 0; pass < passes; ++pass) {
        uint64_t pok = 0, pbus = 0, pcor = 0;
        for (size_t i = 0; i < pages; ++i) {
            if (lost[i]) {
                ++skipped;
                continue;
            }
            alignas(64) uint8_t copy[kBlock];
            if (read_page(mem + i * kBlock, copy)) {
                lost[i] = 1;
                ++pbus;
                if (reported++ < 40) std::printf("PAGE pass=%llu page=%zu SIGBUS\n", static_cast<unsigned long long>(pass + 1), i);
                continue;
            }
            if (matches(copy, tag, i, true)) {
                ++pok;
            } else {
                ++pcor;
                if (reported++ < 40) std::printf("PAGE pass=%llu page=%zu CORRUPT\n", static_cast<unsigned long long>(pass + 1), i);
            }
        }
        std::printf("ANON pass=%llu ok=%llu sigbus=%llu corrupt=%llu\n", static_cast<unsigned long long>(pass + 1),
                    static_cast<unsigned long long>(pok), static_cast<unsigned long long>(pbus),
                    static_cast<unsigned long long>(pcor));
        std::fflush(stdout);
        ok += pok;
        sigbus += pbus;
        corrupt += pcor;
    }
    std::printf("ANON-TOTAL pages=%zu passes=%llu ok=%llu sigbus=%llu skipped_lost=%llu corrupt=%llu\n", pages,
                static_cast<unsigned long long>(passes), static_cast<unsigned long long>(ok),
                static_cast<unsigned long long>(sigbus), static_cast<unsigned long long>(skipped),
                static_cast<unsigned long long>(corrupt));
    munmap(m, pages * kBlock);
    return corrupt ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);  // lines survive a fatal signal
    if (argc < 2) usage(2);
    const std::string cmd = argv[1];
    if (cmd == "-h" || cmd == "--help") usage(0);
    if (cmd == "dm-create") return dm_create(argc, argv);
    if (cmd == "dm-remove") return dm_remove(argc, argv);
    if (cmd == "blocks") return blocks(argc, argv);
    if (cmd == "anon") return anon(argc, argv);
    usage(2);
}
