// SPDX-License-Identifier: MIT
// cce: command-line front end of libcce.
//
//   cce list                                 devices, algorithms, NUMA node, free queues
//   cce compress   [-f raw|zlib|gzip] [-l N] [-i IN] [-o OUT]
//   cce decompress [-f raw|zlib|gzip]        [-i IN] [-o OUT]
//   cce encrypt|decrypt -m xts|gcm -k KEY [--iv IV] [--aad AAD] [--sector-size N]
//   cce hash [--hmac-key KEY] [FILE...]      sha256sum-style output
//   cce crc [--crc32c] [FILE...]
//   cce bench [--ops LIST] [--sizes LIST] [--time SEC]
//   global: --backend hw|sw|auto|loopback, --device PATH, --fallback, --chunk BYTES
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "cce/libcce.h"
#ifdef CCE_HAVE_LOOPBACK
#include "cce/libcce_loopback.h"
#endif

namespace {

const char* kUsage =
    "usage: cce [global options] COMMAND [options]\n"
    "commands:\n"
    "  list                         CCE devices: algorithms, NUMA node, free queues\n"
    "  compress   [-f FMT] [-l N]   deflate stdin (or -i FILE) to stdout (or -o FILE)\n"
    "  decompress [-f FMT]          inflate; FMT raw|zlib|gzip (default gzip)\n"
    "  encrypt|decrypt -m xts|gcm -k KEYFILE [--iv FILE] [--aad FILE] [--sector-size N]\n"
    "                               xts: key 32|64 bytes (key1||key2), iv = 16-byte tweak\n"
    "                               (sector i uses tweak + i); gcm: key 16|32 bytes, iv\n"
    "                               1..64 bytes (default 12 zero bytes), output = data||tag(16)\n"
    "  hash [--hmac-key FILE] [FILE...]  SHA-256 (HMAC-SHA256), sha256sum format\n"
    "  crc [--crc32c] [FILE...]     CRC-32 (gzip) or CRC-32C, hex\n"
    "  bench [--ops LIST] [--sizes LIST] [--time SEC]\n"
    "                               throughput and latency, device vs software\n"
    "global options:\n"
    "  --backend hw|sw|auto|loopback   (default auto: the device if present, else software)\n"
    "  --device PATH                   a given /dev/cce-N\n"
    "  --fallback                      retry jobs that fail on the device in software\n"
    "  --chunk BYTES                   bytes per descriptor (default: device maximum)\n"
    "  --sysfs DIR                     sysfs root for discovery (default /sys)\n"
    "  -v                              say which backend ran\n";

[[noreturn]] void die(const std::string& m) {
    std::fprintf(stderr, "cce: %s\n", m.c_str());
    std::exit(1);
}

std::vector<uint8_t> read_fd(int fd, const std::string& what) {
    std::vector<uint8_t> v;
    size_t n = 0;
    v.resize(1 << 16);
    for (;;) {
        if (n == v.size()) v.resize(v.size() * 2);
        const ssize_t r = ::read(fd, v.data() + n, v.size() - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            die("read " + what + ": " + std::strerror(errno));
        }
        if (r == 0) break;
        n += size_t(r);
    }
    v.resize(n);
    return v;
}

std::vector<uint8_t> read_path(const std::string& p) {
    if (p.empty() || p == "-") return read_fd(0, "stdin");
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("cannot open " + p + ": " + std::strerror(errno));
    auto v = read_fd(fd, p);
    ::close(fd);
    return v;
}

// Memory the device works on directly (SVA: plain pointers, no copies).
// Input: a regular file is mapped, so the device reads the page cache
// itself; stdin, pipes and empty files are read into memory. Output: a
// fresh anonymous mapping the CPU never touches before the device writes
// it; the device's writes fault the pages in through PRI page requests.
class Buf {
public:
    Buf() = default;
    explicit Buf(size_t n) { alloc(n); }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    Buf(Buf&& o) noexcept
        : map_(std::exchange(o.map_, nullptr)), size_(std::exchange(o.size_, 0)),
          cap_(std::exchange(o.cap_, 0)), vec_(std::move(o.vec_)) {}
    Buf& operator=(Buf&&) = delete;
    ~Buf() { release(); }

    static Buf input(const std::string& p) {
        Buf b;
        if (!p.empty() && p != "-") {
            const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) die("cannot open " + p + ": " + std::strerror(errno));
            struct stat st;
            if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
                void* m = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
                if (m != MAP_FAILED) {
                    b.map_ = static_cast<uint8_t*>(m);
                    b.size_ = b.cap_ = size_t(st.st_size);
                }
            }
            if (!b.map_) b.vec_ = read_fd(fd, p);
            ::close(fd);
        } else {
            b.vec_ = read_fd(0, "stdin");
        }
        if (!b.map_) b.size_ = b.vec_.size();
        return b;
    }
    // A new, untouched mapping of at least n bytes (old contents dropped).
    void alloc(size_t n) {
        release();
        cap_ = std::max<size_t>(n, 1);
        void* m = ::mmap(nullptr, cap_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) die("out of memory for " + std::to_string(n) + " bytes");
        map_ = static_cast<uint8_t*>(m);
        size_ = n;
    }
    uint8_t* data() { return map_ ? map_ : vec_.data(); }
    const uint8_t* data() const { return map_ ? map_ : vec_.data(); }
    size_t size() const { return size_; }
    // Only shrinks the visible length (e.g. the GCM tag split off the input).
    void truncate(size_t n) { size_ = std::min(size_, n); }

private:
    void release() {
        if (map_) ::munmap(map_, cap_);
        map_ = nullptr;
        size_ = cap_ = 0;
    }
    uint8_t* map_ = nullptr;
    size_t size_ = 0, cap_ = 0;
    std::vector<uint8_t> vec_;
};

void write_path(const std::string& p, const uint8_t* d, size_t n) {
    int fd = 1;
    if (!p.empty() && p != "-") {
        fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) die("cannot create " + p + ": " + std::strerror(errno));
    }
    while (n) {
        const ssize_t w = ::write(fd, d, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("write: " + std::string(std::strerror(errno)));
        }
        d += w;
        n -= size_t(w);
    }
    if (fd != 1 && ::close(fd) != 0) die("close " + p + ": " + std::strerror(errno));
}

std::string hex(const uint8_t* p, size_t n) {
    static const char* x = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += x[p[i] >> 4];
        s += x[p[i] & 15];
    }
    return s;
}

struct Global {
    std::string backend = "auto";
    std::string device;
    std::string sysfs;
    bool fallback = false;
    bool verbose = false;
    size_t chunk = 0;
};

unsigned long number(const std::string& v, const std::string& opt) {
    char* end = nullptr;
    errno = 0;
    const unsigned long n = std::strtoul(v.c_str(), &end, 0);
    if (errno || !end || *end || v.empty()) die("bad number '" + v + "' for " + opt);
    return n;
}

cce_ctx* open_ctx(const Global& g, const std::string& which) {
    cce_open_opts o;
    cce_open_opts_init(&o);
    o.chunk_size = g.chunk;
    o.sysfs_root = g.sysfs.empty() ? nullptr : g.sysfs.c_str();
    if (g.fallback) o.flags |= CCE_OPEN_FALLBACK_ON_ERROR;
    if (!g.device.empty()) o.device = g.device.c_str();
    if (which == "sw") o.policy = CCE_POLICY_SW_ONLY;
    else if (which == "hw") o.policy = CCE_POLICY_HW_ONLY;
    else if (which == "auto") o.policy = CCE_POLICY_AUTO;
    else if (which == "loopback") {
#ifdef CCE_HAVE_LOOPBACK
        cce_loopback_register(nullptr);
        o.policy = CCE_POLICY_HW_ONLY;
        o.device = "loopback";
#else
        die("this cce was built without the loopback backend");
#endif
    } else die("--backend must be hw, sw, auto or loopback");
    cce_ctx* c = nullptr;
    const int err = cce_open(&o, &c);
    if (err) die("cannot open backend '" + which + "': " + cce_strerror(err));
    if (g.verbose) std::fprintf(stderr, "cce: backend %s\n", cce_backend_name(c));
    return c;
}

int fmt_of(const std::string& f) {
    if (f == "raw") return CCE_FMT_RAW;
    if (f == "zlib") return CCE_FMT_ZLIB;
    if (f == "gzip") return CCE_FMT_GZIP;
    die("format must be raw, zlib or gzip");
}

void check(int err, const std::string& what) {
    if (err) die(what + ": " + cce_strerror(err));
}

int cmd_list(const Global& g) {
    size_t n = 0;
    std::vector<cce_device_info> d(64);
    check(cce_list_devices(g.sysfs.empty() ? nullptr : g.sysfs.c_str(), 0, CCE_NUMA_CURRENT, d.data(), d.size(), &n),
          "list");
    if (!n) {
        std::printf("no CCE device found (no %s/class/uacce/cce-*): jobs run in software\n",
                    g.sysfs.empty() ? "/sys" : g.sysfs.c_str());
        return 0;
    }
    for (size_t i = 0; i < std::min(n, d.size()); ++i) {
        const auto& x = d[i];
        std::printf("%s  %s  api %s  version %s  numa %d  distance %d  free queues %d  sva %s\n  algorithms:",
                    x.name, x.path, x.api, x.hw_version[0] ? x.hw_version : "?", x.numa_node, x.distance,
                    x.available_queues, x.sva[0] ? x.sva : "?");
        for (uint32_t b = 1; b; b <<= 1)
            if (x.algs & b)
                if (const char* nm = cce_alg_name(b)) std::printf(" %s", nm);
        std::printf("\n");
    }
    return 0;
}

struct Opts {
    std::string in, out, fmt = "gzip", mode, key, iv, aad, hmac_key;
    int level = 0;
    size_t sector = 0;
    bool crc32c = false;
    std::vector<std::string> files;
    std::string ops = "memcpy,crc32,crc32c,compress,decompress,xts,gcm,sha256";
    std::string sizes = "4096,65536,1048576";
    double secs = 0.3;
};

int cmd_compress(cce_ctx* c, const Opts& o, bool comp) {
    const Buf in = Buf::input(o.in);
    const int fmt = fmt_of(o.fmt);
    Buf out;
    size_t n = 0;
    if (comp) {
        out.alloc(cce_compress_bound(in.size()));
        check(cce_compress(c, fmt, o.level, in.data(), in.size(), out.data(), out.size(), &n), "compress");
    } else {
        size_t cap = std::max<size_t>(in.size() * 4, 1 << 20);
        if (fmt == CCE_FMT_GZIP && in.size() >= 18) {  // ISIZE trailer (mod 2^32)
            uint32_t isize;
            std::memcpy(&isize, in.data() + in.size() - 4, 4);
            cap = std::max<size_t>(cap, size_t(isize) + 1);
        }
        for (;;) {
            out.alloc(cap);
            const int err = cce_decompress(c, fmt, in.data(), in.size(), out.data(), out.size(), &n);
            if (err == CCE_E_OUTPUT_TOO_SMALL && cap < (size_t{1} << 40)) {
                cap *= 2;
                continue;
            }
            check(err, "decompress");
            break;
        }
    }
    write_path(o.out, out.data(), n);
    return 0;
}

int cmd_cipher(cce_ctx* c, const Opts& o, bool enc) {
    if (o.key.empty()) die("encrypt/decrypt need -k KEYFILE");
    Buf in = Buf::input(o.in);
    const auto key = read_path(o.key);
    if (o.mode == "xts") {
        const auto iv = o.iv.empty() ? std::vector<uint8_t>(16, 0) : read_path(o.iv);
        if (iv.size() != 16) die("xts tweak (--iv) must be 16 bytes");
        Buf out(in.size());
        check(cce_xts(c, enc, key.data(), key.size(), iv.data(), o.sector, in.data(), out.data(), in.size()), "xts");
        write_path(o.out, out.data(), out.size());
        return 0;
    }
    if (o.mode != "gcm") die("-m must be xts or gcm");
    const auto iv = o.iv.empty() ? std::vector<uint8_t>(12, 0) : read_path(o.iv);
    const auto aad = o.aad.empty() ? std::vector<uint8_t>{} : read_path(o.aad);
    uint8_t tag[16] = {};
    if (!enc) {
        if (in.size() < 16) die("gcm decrypt: input shorter than the 16-byte tag");
        std::memcpy(tag, in.data() + in.size() - 16, 16);
        in.truncate(in.size() - 16);
    }
    Buf out(in.size() + 16);
    check(cce_gcm(c, enc, key.data(), key.size(), iv.data(), iv.size(), aad.data(), aad.size(), in.data(),
                  out.data(), in.size(), tag, 16),
          "gcm");
    size_t n = in.size();
    if (enc) {
        std::memcpy(out.data() + n, tag, 16);
        n += 16;
    }
    write_path(o.out, out.data(), n);
    return 0;
}

int cmd_hash(cce_ctx* c, const Opts& o) {
    std::vector<std::string> files = o.files;
    if (files.empty()) files.push_back("-");
    const auto key = o.hmac_key.empty() ? std::vector<uint8_t>{} : read_path(o.hmac_key);
    for (const auto& f : files) {
        const Buf in = Buf::input(f);
        uint8_t d[32];
        if (o.hmac_key.empty()) check(cce_sha256(c, in.data(), in.size(), d), "sha256");
        else check(cce_hmac_sha256(c, key.data(), key.size(), in.data(), in.size(), d), "hmac");
        std::printf("%s  %s\n", hex(d, 32).c_str(), f.c_str());
    }
    return 0;
}

int cmd_crc(cce_ctx* c, const Opts& o) {
    std::vector<std::string> files = o.files;
    if (files.empty()) files.push_back("-");
    for (const auto& f : files) {
        const Buf in = Buf::input(f);
        uint32_t crc = 0;
        check(o.crc32c ? cce_crc32c(c, in.data(), in.size(), &crc) : cce_crc32(c, in.data(), in.size(), &crc), "crc");
        std::printf("%08x  %s\n", crc, f.c_str());
    }
    return 0;
}

// ---- bench ----

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> v;
    size_t p = 0;
    while (p <= s.size()) {
        const size_t q = s.find(',', p);
        const std::string t = s.substr(p, q == std::string::npos ? std::string::npos : q - p);
        if (!t.empty()) v.push_back(t);
        if (q == std::string::npos) break;
        p = q + 1;
    }
    return v;
}

struct Result {
    bool ok = false;
    double mbps = 0, lat_us = 0;
    std::string err;
    double sim_mbps = -1;  // loopback: throughput in the engine's simulated time
};

uint64_t sim_ns(cce_ctx* c) {
    cce_stats st;
    return cce_get_stats(c, &st) == CCE_OK ? st.dev_time_ns : UINT64_MAX;
}

Result bench_one(cce_ctx* c, const std::string& op, size_t size, double secs) {
    std::vector<uint8_t> src(size), dst(cce_compress_bound(size) + 64), comp(cce_compress_bound(size));
    for (size_t i = 0; i < size; ++i) src[i] = uint8_t((i * 7) ^ (i >> 5) ^ ((i % 97) < 40 ? 0 : i >> 11));
    const uint8_t key[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                             25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
                             49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64};
    const uint8_t iv[16] = {};
    uint8_t tag[16];
    size_t clen = 0;
    if (op == "decompress") {
        const int e = cce_compress(c, CCE_FMT_GZIP, 6, src.data(), size, comp.data(), comp.size(), &clen);
        if (e) return {false, 0, 0, cce_strerror(e)};
    }
    auto once = [&]() -> int {
        size_t n;
        uint32_t crc = 0;
        if (op == "memcpy") return cce_memcpy(c, dst.data(), src.data(), size);
        if (op == "crc32") return cce_crc32(c, src.data(), size, &crc);
        if (op == "crc32c") return cce_crc32c(c, src.data(), size, &crc);
        if (op == "compress") return cce_compress(c, CCE_FMT_GZIP, 6, src.data(), size, dst.data(), dst.size(), &n);
        if (op == "decompress") return cce_decompress(c, CCE_FMT_GZIP, comp.data(), clen, dst.data(), dst.size(), &n);
        if (op == "xts") return cce_xts(c, 1, key, 64, iv, 4096, src.data(), dst.data(), size);
        if (op == "gcm") return cce_gcm(c, 1, key, 32, iv, 12, nullptr, 0, src.data(), dst.data(), size, tag, 16);
        if (op == "sha256") return cce_sha256(c, src.data(), size, dst.data());
        if (op == "hmac") return cce_hmac_sha256(c, key, 32, src.data(), size, dst.data());
        return CCE_E_INVAL;
    };
    using clk = std::chrono::steady_clock;
    const int e0 = once();  // warm-up (and fault the buffers in)
    if (e0) return {false, 0, 0, cce_strerror(e0)};
    size_t iters = 0;
    const uint64_t s0 = sim_ns(c);
    const auto t0 = clk::now();
    double el = 0;
    do {
        const int e = once();
        if (e) return {false, 0, 0, cce_strerror(e)};
        ++iters;
        el = std::chrono::duration<double>(clk::now() - t0).count();
    } while (el < secs || iters < 3);
    Result r;
    r.ok = true;
    r.lat_us = el / double(iters) * 1e6;
    r.mbps = double(size) * double(iters) / el / 1e6;
    const uint64_t s1 = sim_ns(c);
    if (s0 != UINT64_MAX && s1 != UINT64_MAX && s1 > s0) r.sim_mbps = double(size) * double(iters) / double(s1 - s0) * 1e3;
    return r;
}

int cmd_bench(const Global& g, const Opts& o) {
    cce_ctx* sw = open_ctx(g, "sw");
    cce_ctx* hw = nullptr;
    {
        cce_open_opts oo;
        cce_open_opts_init(&oo);
        oo.policy = CCE_POLICY_HW_ONLY;
        oo.chunk_size = g.chunk;
        oo.sysfs_root = g.sysfs.empty() ? nullptr : g.sysfs.c_str();
        if (!g.device.empty()) oo.device = g.device.c_str();
#ifdef CCE_HAVE_LOOPBACK
        if (g.backend == "loopback") {
            cce_loopback_register(nullptr);
            oo.device = "loopback";
        }
#endif
        const int err = g.backend == "sw" ? CCE_E_NODEV : cce_open(&oo, &hw);
        if (err) std::printf("device: none (%s); software only\n", cce_strerror(err));
    }
    std::printf("%-11s %9s | %12s %12s %12s | %12s %12s\n", "op", "size", hw ? "dev MB/s" : "dev", "dev lat us",
                "dev sim MB/s", "sw MB/s", "sw lat us");
    for (const auto& op : split(o.ops)) {
        for (const auto& s : split(o.sizes)) {
            const size_t size = number(s, "--sizes");
            std::string dev_mb = "-", dev_lat = "-", dev_sim = "-";
            if (hw) {
                const Result r = bench_one(hw, op, size, o.secs);
                char b1[32], b2[32], b3[32];
                std::snprintf(b1, sizeof b1, "%.1f", r.mbps);
                std::snprintf(b2, sizeof b2, "%.1f", r.lat_us);
                std::snprintf(b3, sizeof b3, "%.1f", r.sim_mbps);
                dev_mb = r.ok ? b1 : "err";
                dev_lat = r.ok ? b2 : r.err;
                if (r.ok && r.sim_mbps >= 0) dev_sim = b3;
            }
            const Result r = bench_one(sw, op, size, o.secs);
            std::printf("%-11s %9zu | %12s %12s %12s | %12.1f %12.1f\n", op.c_str(), size, dev_mb.c_str(),
                        dev_lat.c_str(), dev_sim.c_str(), r.ok ? r.mbps : 0.0, r.ok ? r.lat_us : 0.0);
            std::fflush(stdout);
        }
    }
    if (hw && std::string(cce_backend_name(hw)) == "loopback")
        std::printf("note: the loopback device is the SystemC engine model in this process: dev MB/s and\n"
                    "latency are simulation speed; dev sim MB/s is throughput in the model's simulated time.\n");
    cce_close(hw);
    cce_close(sw);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Global g;
    Opts o;
    std::string cmd;
    auto need = [&](int& i) -> std::string {
        if (i + 1 >= argc) die(std::string("option ") + argv[i] + " needs a value");
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--backend") g.backend = need(i);
        else if (a == "--device") g.device = need(i);
        else if (a == "--fallback") g.fallback = true;
        else if (a == "--chunk") g.chunk = number(need(i), a);
        else if (a == "--sysfs") g.sysfs = need(i);
        else if (a == "-v") g.verbose = true;
        else if (cmd.empty() && !a.empty() && a[0] != '-') cmd = a;
        else if (a == "-i") o.in = need(i);
        else if (a == "-o") o.out = need(i);
        else if (a == "-f" || a == "--format") o.fmt = need(i);
        else if (a == "-l" || a == "--level") {
            o.level = int(number(need(i), a));
            if (o.level < 1 || o.level > 9) die("level must be 1..9");
        } else if (a == "-m" || a == "--mode") o.mode = need(i);
        else if (a == "-k" || a == "--key") o.key = need(i);
        else if (a == "--iv") o.iv = need(i);
        else if (a == "--aad") o.aad = need(i);
        else if (a == "--sector-size") o.sector = number(need(i), a);
        else if (a == "--hmac-key") o.hmac_key = need(i);
        else if (a == "--crc32c") o.crc32c = true;
        else if (a == "--ops") o.ops = need(i);
        else if (a == "--sizes") o.sizes = need(i);
        else if (a == "--time") o.secs = std::strtod(need(i).c_str(), nullptr);
        else if (!cmd.empty() && (a == "-" || a[0] != '-')) o.files.push_back(a);
        else die("unknown option '" + a + "' (see cce --help)");
    }
    if (cmd.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    if (cmd == "list") return cmd_list(g);
    if (cmd == "bench") return cmd_bench(g, o);
    static const char* known[] = {"compress", "decompress", "encrypt", "decrypt", "hash", "crc"};
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return cmd == k; }) == std::end(known))
        die("unknown command '" + cmd + "' (see cce --help)");
    if (o.mode.empty()) o.mode = "xts";
    cce_ctx* c = open_ctx(g, g.backend);
    int rc = 0;
    if (cmd == "compress") rc = cmd_compress(c, o, true);
    else if (cmd == "decompress") rc = cmd_compress(c, o, false);
    else if (cmd == "encrypt") rc = cmd_cipher(c, o, true);
    else if (cmd == "decrypt") rc = cmd_cipher(c, o, false);
    else if (cmd == "hash") rc = cmd_hash(c, o);
    else rc = cmd_crc(c, o);
    if (g.verbose) {
        cce_stats st;
        cce_get_stats(c, &st);
        std::fprintf(stderr, "cce: jobs device %llu software %llu fallbacks %llu descriptors %llu\n",
                     (unsigned long long)st.jobs_hw, (unsigned long long)st.jobs_sw,
                     (unsigned long long)st.fallbacks, (unsigned long long)st.descriptors);
    }
    cce_close(c);
    return rc;
}
