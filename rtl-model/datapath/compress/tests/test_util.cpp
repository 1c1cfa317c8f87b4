// SPDX-License-Identifier: MIT
#include "test_util.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace cce_test {
namespace dfl = cce::datapath::deflate;

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::Random: return "random";
        case Kind::Runs: return "runs";
        case Kind::Text: return "text";
        case Kind::Zeros: return "zeros";
        case Kind::Mixed: return "mixed";
        case Kind::Binaryish: return "binaryish";
    }
    return "?";
}

Bytes make_data(Kind k, size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes d(n);
    switch (k) {
        case Kind::Random:
            for (auto& b : d) b = static_cast<uint8_t>(rng());
            break;
        case Kind::Zeros:
            break;
        case Kind::Runs: {
            size_t i = 0;
            while (i < n) {
                uint8_t v = static_cast<uint8_t>(rng() % 4);
                size_t run = 1 + rng() % 300;
                for (size_t k2 = 0; k2 < run && i < n; ++k2) d[i++] = v;
            }
            break;
        }
        case Kind::Text: {
            static const char* words[] = {"the ", "engine ", "compress", "ion ", "data ", "block ",
                                          "Huffman ", "window ", "match ", "of ", "a ", "to ",
                                          "and ", "stream\n", "deflate ", "zlib, ", "gzip. ",
                                          "hardware ", "queue ", "descriptor "};
            size_t i = 0;
            while (i < n) {
                const char* w = words[rng() % 20];
                for (const char* p = w; *p && i < n; ++p) d[i++] = static_cast<uint8_t>(*p);
                if (rng() % 17 == 0 && i < n) d[i++] = static_cast<uint8_t>('0' + rng() % 10);
            }
            break;
        }
        case Kind::Mixed: {
            size_t i = 0;
            while (i < n) {
                size_t seg = 1 + rng() % 5000;
                int t = static_cast<int>(rng() % 3);
                Bytes part = make_data(t == 0 ? Kind::Random : t == 1 ? Kind::Text : Kind::Runs,
                                       std::min(seg, n - i), rng());
                std::copy(part.begin(), part.end(), d.begin() + static_cast<ptrdiff_t>(i));
                i += part.size();
            }
            break;
        }
        case Kind::Binaryish: {
            // Structured records with small-alphabet fields, like tables.
            for (size_t i = 0; i < n; ++i) {
                uint32_t r = rng();
                d[i] = (i % 16 < 4) ? static_cast<uint8_t>(i / 16) : (i % 16 < 8) ? static_cast<uint8_t>(r % 8)
                                                                                  : static_cast<uint8_t>(r % 64 + 32);
            }
            break;
        }
    }
    return d;
}

int zlib_wbits(unsigned format, unsigned wbits) {
    int w = static_cast<int>(wbits ? wbits : 15);
    if (format == CCE_CF_FMT_RAW) return -w;
    if (format == CCE_CF_FMT_GZIP) return 16 + w;
    return w;
}

bool zlib_inflate(const Bytes& in, unsigned format, unsigned wbits, Bytes& out, std::string* msg) {
    z_stream zs{};
    if (inflateInit2(&zs, zlib_wbits(format, wbits)) != Z_OK) {
        if (msg) *msg = "inflateInit2";
        return false;
    }
    out.clear();
    Bytes buf(1 << 16);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    int rc;
    do {
        zs.next_out = buf.data();
        zs.avail_out = static_cast<uInt>(buf.size());
        rc = inflate(&zs, Z_NO_FLUSH);
        out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
    } while (rc == Z_OK);
    bool ok = rc == Z_STREAM_END && zs.avail_in == 0;
    if (!ok && msg) *msg = std::string("zlib rc=") + std::to_string(rc) + " " + (zs.msg ? zs.msg : "") +
                           " avail_in=" + std::to_string(zs.avail_in);
    inflateEnd(&zs);
    return ok;
}

Bytes zlib_deflate(const Bytes& in, unsigned format, int level, int wbits, int mem_level, int strategy) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, zlib_wbits(format, static_cast<unsigned>(wbits)), mem_level,
                     strategy) != Z_OK)
        return {};
    Bytes out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    out.resize(rc == Z_STREAM_END ? zs.total_out : 0);
    deflateEnd(&zs);
    return out;
}

Bytes our_compress(const Bytes& in, unsigned format, unsigned level, unsigned wbits) {
    Bytes out(dfl::compress_bound(in.size(), format));
    auto r = dfl::compress(in.data(), in.size(), out.data(), out.size(), format, level, wbits);
    if (r.status != CCE_ST_SUCCESS) return {};
    out.resize(r.produced);
    return out;
}

dfl::Result our_decompress(const Bytes& in, unsigned format, Bytes& out, size_t cap) {
    out.assign(cap, 0);
    auto r = dfl::decompress(in.data(), in.size(), out.data(), cap, format);
    out.resize(r.produced);
    return r;
}

GuardedBuffer::GuardedBuffer(size_t size) : size_(size) {
    size_t pg = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t body = (size + pg - 1) / pg * pg;
    map_len_ = body + pg;
    void* m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    map_ = static_cast<uint8_t*>(m);
    mprotect(map_ + body, pg, PROT_NONE);
    data_ = map_ + body - size;
}

GuardedBuffer::~GuardedBuffer() { munmap(map_, map_len_); }

static Bytes read_file(const std::filesystem::path& p, size_t max) {
    std::ifstream f(p, std::ios::binary);
    Bytes d;
    if (!f) return d;
    d.resize(max);
    f.read(reinterpret_cast<char*>(d.data()), static_cast<std::streamsize>(max));
    d.resize(static_cast<size_t>(f.gcount()));
    return d;
}

const std::vector<FileSample>& machine_files() {
    static const std::vector<FileSample> files = [] {
        namespace fs = std::filesystem;
        std::vector<FileSample> v;
        size_t total = 0;
        auto add = [&](const fs::path& p, size_t max_each, size_t budget) {
            std::error_code ec;
            if (!fs::is_regular_file(p, ec) || total >= budget) return;
            Bytes d = read_file(p, max_each);
            if (d.empty()) return;
            total += d.size();
            v.push_back({p.string(), std::move(d)});
        };
        // Licenses (text).
        for (const char* n : {"GPL-3", "Apache-2.0", "LGPL-2.1", "Artistic", "MPL-2.0", "BSD"})
            add(fs::path("/usr/share/common-licenses") / n, 1 << 20, 1 << 20);
        // Binaries.
        size_t bin_budget = total + (3u << 19);
        for (const char* n : {"/usr/bin/cmake", "/usr/bin/gzip", "/usr/bin/bash", "/usr/bin/ls", "/usr/bin/tar",
                              "/usr/bin/perl", "/usr/bin/git"})
            add(n, 600 << 10, bin_budget);
        // Docs: a few text files and already-compressed .gz files.
        std::error_code ec;
        std::vector<fs::path> docs, gzs;
        for (auto it = fs::recursive_directory_iterator("/usr/share/doc", fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) break;
            if (!it->is_regular_file(ec)) continue;
            auto ext = it->path().extension();
            if (ext == ".gz") gzs.push_back(it->path());
            else if (it->path().filename() == "copyright") docs.push_back(it->path());
        }
        std::sort(docs.begin(), docs.end());
        std::sort(gzs.begin(), gzs.end());
        size_t doc_budget = total + (256u << 10);
        for (size_t i = 0; i < docs.size(); i += std::max<size_t>(1, docs.size() / 40)) add(docs[i], 64 << 10, doc_budget);
        size_t gz_budget = total + (384u << 10);
        for (size_t i = 0; i < gzs.size(); i += std::max<size_t>(1, gzs.size() / 30)) add(gzs[i], 128 << 10, gz_budget);
        return v;
    }();
    return files;
}

const Bytes& machine_corpus() {
    static const Bytes c = [] {
        Bytes all;
        for (const auto& f : machine_files()) all.insert(all.end(), f.data.begin(), f.data.end());
        return all;
    }();
    return c;
}

bool have_gzip_binary() { return access("/usr/bin/gzip", X_OK) == 0 || access("/bin/gzip", X_OK) == 0; }

Bytes run_gzip(const Bytes& data, int level) {
    char tmpl[] = "/tmp/cce_gz_XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) return {};
    size_t off = 0;
    while (off < data.size()) {
        ssize_t w = write(fd, data.data() + off, data.size() - off);
        if (w <= 0) break;
        off += static_cast<size_t>(w);
    }
    close(fd);
    std::string cmd = "gzip -" + std::to_string(level) + " -n -c " + tmpl;
    Bytes out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        uint8_t buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.insert(out.end(), buf, buf + n);
        if (pclose(p) != 0) out.clear();
    }
    unlink(tmpl);
    return out;
}

}  // namespace cce_test
