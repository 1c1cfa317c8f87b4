// SPDX-License-Identifier: MIT
// Runners for cce_crc, cce_aes and cce_sha256.
#include "cce/rtl/cores.h"

#include <cstring>

#include "Vcce_aes.h"
#include "Vcce_crc.h"
#include "Vcce_lz77.h"
#include "Vcce_sha256.h"
#include "core_sim.h"

namespace cce::rtl {
namespace {

using CrcSim = Sim<Vcce_crc>;
using AesSim = Sim<Vcce_aes>;
using ShaSim = Sim<Vcce_sha256>;
using LzSim = Sim<Vcce_lz77>;

// Verilator wide ports are arrays of 32-bit words, word 0 = bits [31:0].
// With the cores' byte order (byte k at bits [8k +: 8]) a little-endian
// host copies bytes straight in.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host assumed");

inline uint32_t load_be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

// ---- CRC ---------------------------------------------------------------------

CrcCore::CrcCore() : sim_(std::make_unique<CrcSim>()) {}
CrcCore::~CrcCore() = default;
uint64_t CrcCore::cycles() const { return sim_->cycle; }
void CrcCore::set_trace(const std::string& path, uint64_t from, uint64_t to) {
    sim_->set_trace(path, from, to);
}

uint32_t CrcCore::run(bool castagnoli, uint32_t seed, const uint8_t* data, size_t len,
                      RunStats& st) {
    auto& s = static_cast<CrcSim&>(*sim_);
    auto* m = s.m.get();
    const uint64_t c0 = s.cycle;
    size_t off = 0;
    bool first = true, sent_last = false;
    uint32_t result = 0;
    m->out_ready = 1;
    m->in_seed = seed;
    m->in_castagnoli = castagnoli;
    for (;;) {
        if (!sent_last) {
            const size_t n = len - off < 8 ? len - off : 8;
            uint64_t word = 0;
            if (n) std::memcpy(&word, data + off, n);
            m->in_valid = 1;
            m->in_data = word;
            m->in_keep = static_cast<uint8_t>((1u << n) - 1);
            m->in_first = first;
            m->in_last = (off + n == len);
        } else {
            m->in_valid = 0;
        }
        s.settle();
        const bool fire = m->in_valid && m->in_ready;
        const bool done = m->out_valid && sent_last;
        if (done) result = m->out_crc;
        s.edge();
        if (done) break;
        if (fire) {
            off += len - off < 8 ? len - off : 8;
            first = false;
            if (off == len) sent_last = true;
        }
    }
    m->in_valid = 0;
    st.cycles += s.cycle - c0;
    return result;
}

// ---- AES ---------------------------------------------------------------------

AesCore::AesCore() : sim_(std::make_unique<AesSim>()) {}
AesCore::~AesCore() = default;
uint64_t AesCore::cycles() const { return sim_->cycle; }
void AesCore::set_trace(const std::string& path, uint64_t from, uint64_t to) {
    sim_->set_trace(path, from, to);
}

bool AesCore::set_key(const uint8_t* key, size_t len, RunStats& st) {
    if (!key || (len != 16 && len != 32)) return false;
    auto& s = static_cast<AesSim&>(*sim_);
    auto* m = s.m.get();
    const uint64_t c0 = s.cycle;
    std::memset(m->key.data(), 0, 32);
    std::memcpy(m->key.data(), key, len);
    m->key256 = len == 32;
    m->in_valid = 0;
    m->out_ready = 1;
    m->key_valid = 1;
    // Offer the key until taken, then run until the schedule is ready
    // (in_ready comes back once expansion is done).
    for (;;) {
        s.settle();
        const bool fire = m->key_valid && m->key_ready;
        s.edge();
        if (fire) break;
    }
    m->key_valid = 0;
    for (;;) {
        s.settle();
        if (m->in_ready) break;
        s.edge();
    }
    std::memset(m->key.data(), 0, 32);
    keyed_ = true;
    st.cycles += s.cycle - c0;
    return true;
}

void AesCore::crypt(bool decrypt, const uint8_t* in, uint8_t* out, size_t n, RunStats& st) {
    if (n == 0 || !keyed_) return;  // unkeyed: the core would never be ready
    auto& s = static_cast<AesSim&>(*sim_);
    auto* m = s.m.get();
    const uint64_t c0 = s.cycle;
    size_t sent = 0, got = 0;
    m->in_decrypt = decrypt;
    m->out_ready = 1;
    m->key_valid = 0;
    uint8_t blk[16];
    while (got < n) {
        if (sent < n) {
            // in/out may alias: block `sent` is read before result `sent`
            // is written (results never overtake inputs).
            std::memcpy(m->in_data.data(), in + 16 * sent, 16);
            m->in_valid = 1;
        } else {
            m->in_valid = 0;
        }
        s.settle();
        const bool fire = m->in_valid && m->in_ready;
        const bool ofire = m->out_valid && m->out_ready;
        if (ofire) std::memcpy(blk, m->out_data.data(), 16);
        s.edge();
        if (fire) ++sent;
        if (ofire) std::memcpy(out + 16 * got++, blk, 16);
    }
    m->in_valid = 0;
    st.cycles += s.cycle - c0;
}

void AesCore::encrypt_blocks(const uint8_t* in, uint8_t* out, size_t n, RunStats& st) {
    crypt(false, in, out, n, st);
}
void AesCore::decrypt_blocks(const uint8_t* in, uint8_t* out, size_t n, RunStats& st) {
    crypt(true, in, out, n, st);
}

// ---- SHA-256 -------------------------------------------------------------------

Sha256Core::Sha256Core() : sim_(std::make_unique<ShaSim>()) {}
Sha256Core::~Sha256Core() = default;
uint64_t Sha256Core::cycles() const { return sim_->cycle; }
void Sha256Core::set_trace(const std::string& path, uint64_t from, uint64_t to) {
    sim_->set_trace(path, from, to);
}

void Sha256Core::compress(uint32_t h[8], const uint8_t* blocks, size_t n, RunStats& st) {
    if (n == 0) return;
    auto& s = static_cast<ShaSim&>(*sim_);
    auto* m = s.m.get();
    const uint64_t c0 = s.cycle;
    for (int i = 0; i < 8; ++i) m->in_h[i] = h[i];
    m->out_ready = 1;
    size_t sent = 0;
    for (;;) {
        if (sent < n) {
            const uint8_t* b = blocks + 64 * sent;
            for (int i = 0; i < 16; ++i) m->in_block[i] = load_be32(b + 4 * i);
            m->in_first = sent == 0;
            m->in_last = sent + 1 == n;
            m->in_valid = 1;
        } else {
            m->in_valid = 0;
        }
        s.settle();
        const bool fire = m->in_valid && m->in_ready;
        const bool done = m->out_valid && sent == n;
        if (done)
            for (int i = 0; i < 8; ++i) h[i] = m->out_h[i];
        s.edge();
        if (fire) ++sent;
        if (done) break;
    }
    m->in_valid = 0;
    st.cycles += s.cycle - c0;
}

// ---- LZ77 ---------------------------------------------------------------------

Lz77Core::Lz77Core() : sim_(std::make_unique<LzSim>()) {}
Lz77Core::~Lz77Core() = default;
uint64_t Lz77Core::cycles() const { return sim_->cycle; }
void Lz77Core::set_trace(const std::string& path, uint64_t from, uint64_t to) {
    sim_->set_trace(path, from, to);
}

bool Lz77Core::run(const uint8_t* data, size_t len, unsigned wbits, std::vector<Lz77Token>& out,
                   RunStats& st) {
    if (wbits < 9 || wbits > 15 || len > 0xffffffffu || (!data && len)) return false;
    auto& s = static_cast<LzSim&>(*sim_);
    auto* m = s.m.get();
    const uint64_t c0 = s.cycle;
    size_t off = 0;
    bool first = true, done = false;
    m->cfg_len = static_cast<uint32_t>(len);
    m->cfg_wbits = static_cast<uint8_t>(wbits);
    m->out_ready = 1;
    while (!done) {
        const bool more = first || off < len;
        if (more) {
            const size_t n = len - off < 8 ? len - off : 8;
            uint64_t w = 0;
            if (n) std::memcpy(&w, data + off, n);
            m->in_data = w;
            m->in_first = first;
            m->in_valid = 1;
        } else {
            m->in_valid = 0;
        }
        s.settle();
        const bool fire = m->in_valid && m->in_ready;
        if (m->out_valid) {
            switch (m->out_kind) {
                case 0: out.push_back({0, m->out_lit}); break;
                case 1: out.push_back({m->out_dist, m->out_len}); break;
                default: done = true; break;
            }
        }
        s.edge();
        if (fire) {
            off += len - off < 8 ? len - off : 8;
            first = false;
        }
    }
    m->in_valid = 0;
    st.cycles += s.cycle - c0;
    return true;
}

}  // namespace cce::rtl
