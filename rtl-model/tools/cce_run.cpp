// SPDX-License-Identifier: MIT
// cce-run: push a file through the engine model, no VM. The input is placed
// in a simulated process's address space (PASID queue, PRI on, output
// buffers never touched so page requests fault them in), split into
// descriptors, and the engine's output is written to stdout.
//
//   cce-run compress --format gzip --level 9 < in > in.gz
//   cce-run decompress --format gzip < in.gz > in
//   cce-run encrypt --mode xts --key k.bin --iv tweak.bin < in > out
//   cce-run hash < in          (hex digest)      cce-run crc32c < in
//   --stats prints the model statistics and simulated time to stderr.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/harness/harness.h"
#include "cce/harness/test_queue.h"
#include "cce/model/engine.h"

using namespace cce;

namespace {

constexpr uint32_t kPasid = 1;

const char* kUsage =
    "usage: cce-run OP [options] [< input] [> output]\n"
    "Runs data through the CCE engine model via the host harness (no VM).\n"
    "\n"
    "OP: copy | crc32 | crc32c | compress | decompress | encrypt | decrypt | hash | hmac\n"
    "options:\n"
    "  -i FILE, -o FILE      input/output files instead of stdin/stdout\n"
    "  --format raw|zlib|gzip  (de)compression framing (default gzip)\n"
    "  --level N             1 (fast) .. 9 (best), default 6\n"
    "  --window-bits N       9..15 (default 15)\n"
    "  --chunk BYTES         bytes per descriptor (streaming across descriptors)\n"
    "  --mode xts|gcm        cipher for encrypt/decrypt (default xts)\n"
    "  --key FILE            key: xts 32 or 64 bytes (key1||key2); gcm 16 or 32; hmac any\n"
    "  --iv FILE             xts: 16-byte initial tweak; gcm: 1..64-byte IV\n"
    "  --aad FILE            gcm additional authenticated data\n"
    "  --sector-size N       xts: encrypt N-byte data units, tweak += 1 per unit\n"
    "                        gcm: encrypt writes ciphertext||tag(16), decrypt reads it\n"
    "  --stats               print model statistics and simulated time to stderr\n"
    "  --clock-mhz N         engine clock (default 1000)\n"
    "  --datapath D          reference (default), rtl, or units crc,aes,sha,lz77 on RTL\n";

[[noreturn]] void fail(const std::string& msg) {
    std::fprintf(stderr, "cce-run: %s\n", msg.c_str());
    std::exit(1);
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail("cannot open " + path + ": " + std::strerror(errno));
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> read_stream(FILE* f) {
    std::vector<uint8_t> v;
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) v.insert(v.end(), buf, buf + n);
    if (std::ferror(f)) fail("read error on input");
    return v;
}

std::string hex(const uint8_t* p, size_t n) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

struct Args {
    std::string op;
    std::string in_path, out_path;
    unsigned format = CCE_CF_FMT_GZIP, level = 6, wbits = 15;
    size_t chunk = 0;
    std::string mode = "xts";
    std::string key_path, iv_path, aad_path;
    size_t sector = 0;
    bool stats = false;
    unsigned clock_mhz = 1000;
    uint32_t rtl_units = 0;
};

Args parse(int argc, char** argv) {
    Args a;
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        std::exit(2);
    }
    a.op = argv[1];
    if (a.op == "-h" || a.op == "--help") {
        std::fputs(kUsage, stdout);
        std::exit(0);
    }
    auto value = [&](int& i) -> std::string {
        if (i + 1 >= argc) fail(std::string("option ") + argv[i] + " needs a value");
        return argv[++i];
    };
    auto number = [&](int& i, unsigned long lo, unsigned long hi) {
        const std::string v = value(i);
        char* end = nullptr;
        const unsigned long n = std::strtoul(v.c_str(), &end, 0);
        if (!end || *end || n < lo || n > hi)
            fail(std::string("bad value '") + v + "' for " + argv[i - 1] + " (" + std::to_string(lo) +
                 ".." + std::to_string(hi) + ")");
        return n;
    };
    for (int i = 2; i < argc; ++i) {
        const std::string o = argv[i];
        if (o == "-i") a.in_path = value(i);
        else if (o == "-o") a.out_path = value(i);
        else if (o == "--format") {
            const std::string f = value(i);
            if (f == "raw") a.format = CCE_CF_FMT_RAW;
            else if (f == "zlib") a.format = CCE_CF_FMT_ZLIB;
            else if (f == "gzip") a.format = CCE_CF_FMT_GZIP;
            else fail("--format must be raw, zlib or gzip");
        } else if (o == "--level") a.level = unsigned(number(i, 1, 9));
        else if (o == "--window-bits") a.wbits = unsigned(number(i, 9, 15));
        else if (o == "--chunk") a.chunk = number(i, 64, 16u << 20);
        else if (o == "--mode") {
            a.mode = value(i);
            if (a.mode != "xts" && a.mode != "gcm") fail("--mode must be xts or gcm");
        } else if (o == "--key") a.key_path = value(i);
        else if (o == "--iv") a.iv_path = value(i);
        else if (o == "--aad") a.aad_path = value(i);
        else if (o == "--sector-size") a.sector = number(i, 16, 16u << 20);
        else if (o == "--stats") a.stats = true;
        else if (o == "--clock-mhz") a.clock_mhz = unsigned(number(i, 1, 10000));
        else if (o == "--datapath") {
            if (!model::parse_datapath(value(i), a.rtl_units)) fail("--datapath takes reference, rtl or crc,aes,sha,lz77");
            if (a.rtl_units && !model::rtl_available()) fail("this build has no RTL cores");
        }
        else if (o == "-h" || o == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else fail("unknown option '" + o + "' (see cce-run --help)");
    }
    return a;
}

// The simulated machine: an engine, a harness and one PASID queue.
class Machine {
public:
    explicit Machine(const Args& a, size_t input_size) : h_(mem_size(input_size)) {
        model::EngineConfig cfg;
        cfg.num_queues = 1;
        cfg.clock_mhz = a.clock_mhz;
        cfg.rtl_units = a.rtl_units;
        engine_ = std::make_unique<model::Engine>(cfg, h_);
        h_.attach(engine_.get());
        engine_->mmio_write(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
        harness::QueueOptions o;
        o.pasid = kPasid;
        o.pri = true;
        o.sq_entries = o.cq_entries = 8;
        q_ = std::make_unique<harness::TestQueue>(h_, *engine_, 0, o);
        q_->enable();
        max_job_ = static_cast<uint32_t>(engine_->mmio_read(CCE_BAR0, CCE_REG_MAX_JOB_LEN, 4));
    }
    static size_t mem_size(size_t input) { return std::max<size_t>(256u << 20, input * 6 + (64u << 20)); }

    uint64_t put(const std::vector<uint8_t>& data) {
        const uint64_t va = h_.alloc(kPasid, std::max<size_t>(data.size(), 1));
        if (!data.empty()) h_.write_va(kPasid, va, data.data(), data.size());
        return va;
    }
    uint64_t untouched(size_t n) { return h_.reserve(kPasid, std::max<size_t>(n, 1)); }
    std::vector<uint8_t> get(uint64_t va, size_t n) { return h_.read_vec(kPasid, va, n); }

    cce_cpl run(const cce_desc& d) {
        q_->submit(d);
        auto c = q_->run_and_collect();
        if (c.size() != 1) fail("engine returned no completion (model error)");
        return c[0];
    }
    uint32_t max_job() const { return max_job_; }
    model::Engine& engine() { return *engine_; }

private:
    harness::Harness h_;
    std::unique_ptr<model::Engine> engine_;
    std::unique_ptr<harness::TestQueue> q_;
    uint32_t max_job_ = 0;
};

[[noreturn]] void job_failed(const char* what, const cce_cpl& c) {
    std::string m = std::string(what) + ": " + model::status_name(c.status);
    if (c.status == CCE_ST_INVALID_DESC || c.status == CCE_ST_CORRUPT_INPUT ||
        c.status == CCE_ST_OUTPUT_TOO_SMALL)
        m += " (detail " + std::to_string(c.result) + ")";
    if (c.status == CCE_ST_TRANSLATION_FAULT || c.status == CCE_ST_DMA_ERROR) {
        char b[32];
        std::snprintf(b, sizeof b, " at 0x%llx", (unsigned long long)c.fault_addr);
        m += b;
    }
    fail(m);
}

cce_desc desc(uint8_t op, uint64_t src, size_t n, uint64_t dst, size_t cap) {
    return harness::make_desc(op, src, uint32_t(n), dst, uint32_t(cap), 0, 0);
}

std::vector<uint8_t> do_copy(Machine& m, const std::vector<uint8_t>& in, size_t chunk) {
    const uint64_t src = m.put(in), dst = m.untouched(in.size());
    for (size_t off = 0; off < in.size(); off += chunk) {
        const size_t n = std::min(chunk, in.size() - off);
        const cce_cpl c = m.run(desc(CCE_OP_MEMCPY, src + off, n, dst + off, n));
        if (c.status) job_failed("copy", c);
    }
    return in.empty() ? std::vector<uint8_t>{} : m.get(dst, in.size());
}

uint32_t do_crc(Machine& m, const std::vector<uint8_t>& in, size_t chunk, uint8_t op) {
    const uint64_t src = m.put(in);
    uint32_t crc = 0;
    size_t off = 0;
    do {
        const size_t n = std::min(chunk, in.size() - off);
        cce_desc d = desc(op, src + off, n, 0, 0);
        d.seed = crc;
        const cce_cpl c = m.run(d);
        if (c.status) job_failed("crc", c);
        crc = c.result;
        off += n;
    } while (off < in.size());
    return crc;
}

std::vector<uint8_t> do_compress(Machine& m, const Args& a, const std::vector<uint8_t>& in, size_t chunk) {
    const uint64_t src = m.put(in);
    const uint64_t ctx = m.put(std::vector<uint8_t>(CCE_STREAM_CTX_SIZE));
    std::vector<uint8_t> out;
    size_t off = 0;
    bool first = true;
    do {
        const size_t n = std::min(chunk, in.size() - off);
        const bool last = off + n == in.size();
        uint32_t cap = uint32_t(std::min<size_t>(n + n / 8 + 4096, m.max_job()));
        for (int attempt = 0;; ++attempt) {
            const uint64_t dst = m.untouched(cap);
            cce_desc d = desc(CCE_OP_COMPRESS, src + off, n, dst, cap);
            d.flags = (first ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
            d.op_flags = CCE_CF_MAKE_W(a.format, a.level, a.wbits);
            if (!(first && last)) {
                d.param = ctx;
                d.param_len = CCE_STREAM_CTX_SIZE;
            }
            const cce_cpl c = m.run(d);
            if (c.status == CCE_ST_OUTPUT_TOO_SMALL && attempt == 0 && c.result > cap) {
                cap = c.result;  // the engine says how much it needs
                continue;
            }
            if (c.status) job_failed("compress", c);
            const auto part = m.get(dst, c.bytes_produced);
            out.insert(out.end(), part.begin(), part.end());
            break;
        }
        off += n;
        first = false;
    } while (off < in.size());
    return out;
}

std::vector<uint8_t> do_decompress(Machine& m, const Args& a, const std::vector<uint8_t>& in, size_t chunk) {
    const uint64_t src = m.put(in);
    const uint64_t ctx = m.put(std::vector<uint8_t>(CCE_STREAM_CTX_SIZE));
    const uint32_t cap = 1u << 20;
    std::vector<uint8_t> out;
    size_t off = 0;
    bool first = true, eos = false;
    while (!eos) {
        const size_t n = std::min(chunk, in.size() - off);
        const bool last = off + n == in.size();
        const uint64_t dst = m.untouched(cap);
        cce_desc d = desc(CCE_OP_DECOMPRESS, src + off, n, dst, cap);
        d.flags = (first ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
        d.op_flags = a.format;
        d.param = ctx;
        d.param_len = CCE_STREAM_CTX_SIZE;
        const cce_cpl c = m.run(d);
        if (c.status) job_failed("decompress", c);
        const auto part = m.get(dst, c.bytes_produced);
        out.insert(out.end(), part.begin(), part.end());
        off += c.bytes_consumed;
        first = false;
        eos = c.flags & CCE_CPL_EOS;
        if (!eos && last && c.bytes_consumed == n && c.bytes_produced == 0)
            fail("decompress: input ended before the end of the stream");
    }
    if (off != in.size()) fail("decompress: data after the end of the stream");
    return out;
}

std::vector<uint8_t> do_cipher(Machine& m, const Args& a, const std::vector<uint8_t>& input, bool enc) {
    if (a.key_path.empty()) fail("encrypt/decrypt need --key FILE");
    const auto key = read_file(a.key_path);
    const auto iv = a.iv_path.empty() ? std::vector<uint8_t>(a.mode == "xts" ? 16 : 12, 0) : read_file(a.iv_path);
    if (a.mode == "xts") {
        if (key.size() != 32 && key.size() != 64) fail("xts key must be 32 or 64 bytes (key1||key2)");
        if (iv.size() != 16) fail("xts tweak (--iv) must be 16 bytes");
        const size_t half = key.size() / 2;
        const size_t unit = a.sector ? a.sector : input.size();
        if (input.size() < 16) fail("xts needs at least 16 bytes of input");
        if (input.size() % unit && input.size() % unit < 16) fail("xts: last data unit shorter than 16 bytes");
        const uint64_t src = m.put(input), dst = m.untouched(input.size());
        for (size_t off = 0, idx = 0; off < input.size(); off += unit, ++idx) {
            cce_xts_param p{};
            std::memcpy(p.key1, key.data(), half);
            std::memcpy(p.key2, key.data() + half, half);
            // tweak = iv + unit index, as a little-endian 128-bit number
            unsigned carry = 0;
            uint64_t add = idx;
            for (int b = 0; b < 16; ++b) {
                const unsigned s = iv[b] + (add & 0xff) + carry;
                p.tweak[b] = uint8_t(s);
                carry = s >> 8;
                add >>= 8;
            }
            const uint64_t pv = m.put(std::vector<uint8_t>((uint8_t*)&p, (uint8_t*)&p + sizeof p));
            const size_t n = std::min(unit, input.size() - off);
            cce_desc d = desc(enc ? CCE_OP_AES_XTS_ENC : CCE_OP_AES_XTS_DEC, src + off, n, dst + off, n);
            d.op_flags = half == 32 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
            d.param = pv;
            d.param_len = sizeof p;
            const cce_cpl c = m.run(d);
            if (c.status) job_failed("xts", c);
        }
        return m.get(dst, input.size());
    }
    // GCM: ciphertext || 16-byte tag
    if (key.size() != 16 && key.size() != 32) fail("gcm key must be 16 or 32 bytes");
    if (iv.empty() || iv.size() > 64) fail("gcm iv must be 1..64 bytes");
    std::vector<uint8_t> in = input;
    cce_gcm_param p{};
    std::memcpy(p.key, key.data(), key.size());
    std::memcpy(p.iv, iv.data(), iv.size());
    p.iv_len = uint32_t(iv.size());
    p.tag_len = 16;
    if (!enc) {
        if (in.size() < 16) fail("gcm decrypt: input shorter than the tag");
        std::memcpy(p.tag, in.data() + in.size() - 16, 16);
        in.resize(in.size() - 16);
    }
    if (in.size() > m.max_job()) fail("gcm: input above the engine's MAX_JOB_LEN");
    if (!a.aad_path.empty()) {
        const auto aad = read_file(a.aad_path);
        p.aad = m.put(aad);
        p.aad_len = uint32_t(aad.size());
    }
    const uint64_t pv = m.put(std::vector<uint8_t>((uint8_t*)&p, (uint8_t*)&p + sizeof p));
    const uint64_t src = m.put(in), dst = m.untouched(in.size());
    cce_desc d = desc(enc ? CCE_OP_AES_GCM_ENC : CCE_OP_AES_GCM_DEC, src, in.size(), dst, in.size());
    d.op_flags = key.size() == 32 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
    d.param = pv;
    d.param_len = sizeof p;
    const cce_cpl c = m.run(d);
    if (c.status) job_failed("gcm", c);
    auto out = in.empty() ? std::vector<uint8_t>{} : m.get(dst, in.size());
    if (enc) {
        const auto tag = m.get(pv + offsetof(cce_gcm_param, tag), 16);
        out.insert(out.end(), tag.begin(), tag.end());
    }
    return out;
}

std::vector<uint8_t> do_hash(Machine& m, const Args& a, const std::vector<uint8_t>& in, size_t chunk, bool hmac) {
    const uint64_t src = m.put(in), out = m.untouched(32);
    if (hmac) {
        if (a.key_path.empty()) fail("hmac needs --key FILE");
        if (in.size() > m.max_job()) fail("hmac: input above the engine's MAX_JOB_LEN");
        const auto key = read_file(a.key_path);
        cce_hmac_param p{};
        p.key = key.empty() ? 0 : m.put(key);
        p.key_len = uint32_t(key.size());
        cce_desc d = desc(CCE_OP_HMAC_SHA256, src, in.size(), out, 32);
        d.flags = CCE_DF_FIRST | CCE_DF_LAST;
        d.param = m.put(std::vector<uint8_t>((uint8_t*)&p, (uint8_t*)&p + sizeof p));
        d.param_len = sizeof p;
        const cce_cpl c = m.run(d);
        if (c.status) job_failed("hmac", c);
        return m.get(out, 32);
    }
    const uint64_t ctx = m.put(std::vector<uint8_t>(CCE_SHA256_CTX_SIZE));
    size_t off = 0;
    bool first = true;
    do {
        const size_t n = std::min(chunk, in.size() - off);
        const bool last = off + n == in.size();
        cce_desc d = desc(CCE_OP_SHA256, src + off, n, last ? out : 0, last ? 32 : 0);
        d.flags = (first ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
        if (!(first && last)) {
            d.param = ctx;
            d.param_len = CCE_SHA256_CTX_SIZE;
        }
        const cce_cpl c = m.run(d);
        if (c.status) job_failed("hash", c);
        off += n;
        first = false;
    } while (off < in.size());
    return m.get(out, 32);
}

}  // namespace

int main(int argc, char** argv) {
    const Args a = parse(argc, argv);
    static const std::map<std::string, int> ops = {{"copy", 0},    {"crc32", 1},      {"crc32c", 2},
                                                   {"compress", 3}, {"decompress", 4}, {"encrypt", 5},
                                                   {"decrypt", 6},  {"hash", 7},       {"hmac", 8}};
    const auto it = ops.find(a.op);
    if (it == ops.end()) fail("unknown operation '" + a.op + "' (see cce-run --help)");

    std::vector<uint8_t> in;
    if (a.in_path.empty())
        in = read_stream(stdin);
    else
        in = read_file(a.in_path);

    Machine m(a, in.size());
    const size_t chunk = a.chunk ? a.chunk : std::min<size_t>(m.max_job(), 1u << 20);
    std::vector<uint8_t> out;
    std::string text;
    switch (it->second) {
    case 0: out = do_copy(m, in, chunk); break;
    case 1:
    case 2: {
        const uint32_t crc = do_crc(m, in, chunk, it->second == 1 ? CCE_OP_CRC32 : CCE_OP_CRC32C);
        char b[16];
        std::snprintf(b, sizeof b, "%08x", crc);
        text = b;
        break;
    }
    case 3: out = do_compress(m, a, in, chunk); break;
    case 4: out = do_decompress(m, a, in, chunk); break;
    case 5: out = do_cipher(m, a, in, true); break;
    case 6: out = do_cipher(m, a, in, false); break;
    case 7:
    case 8: {
        const auto dg = do_hash(m, a, in, chunk, it->second == 8);
        text = hex(dg.data(), dg.size());
        break;
    }
    }

    FILE* f = stdout;
    if (!a.out_path.empty() && !(f = std::fopen(a.out_path.c_str(), "wb")))
        fail("cannot open " + a.out_path + ": " + std::strerror(errno));
    if (!text.empty())
        std::fprintf(f, "%s\n", text.c_str());
    else if (!out.empty() && std::fwrite(out.data(), 1, out.size(), f) != out.size())
        fail("write error on output");
    if (std::fflush(f) != 0 || (f != stdout && std::fclose(f) != 0)) fail("write error on output");

    if (a.stats) {
        std::fprintf(stderr, "cce-run %s: %zu bytes in, %zu bytes out\n%s", a.op.c_str(), in.size(),
                     text.empty() ? out.size() : text.size(), m.engine().stats_report().c_str());
        const double us = double(m.engine().now_ns()) / 1000.0;
        if (us > 0)
            std::fprintf(stderr, "engine throughput at %u MHz: %.1f MB/s of input (simulated)\n",
                         a.clock_mhz, double(in.size()) / us);
    }
    return 0;
}
