// SPDX-License-Identifier: MIT
// Software backend: every operation with zlib and OpenSSL, same semantics
// and error codes as the device (trailing data after a deflate stream is
// corrupt input, XTS key1 == key2 is refused, a GCM tag mismatch leaves no
// plaintext). Jobs run synchronously inside submit().
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <deque>

#include "backend.h"
#include "soft.h"

namespace cce::lib {

namespace {

constexpr size_t kZChunk = size_t{1} << 30;  // zlib's uInt counters

uint32_t crc32c_table[8][256];
bool crc32c_init() {
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc32c_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
        for (int t = 1; t < 8; ++t)
            crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8) ^ crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
    return true;
}

int window_bits(int format) { return format == CCE_FMT_RAW ? -15 : format == CCE_FMT_ZLIB ? 15 : 31; }

int sw_compress(cce_job& j) {
    z_stream z{};
    const int level = j.level ? j.level : 6;
    if (deflateInit2(&z, level, Z_DEFLATED, window_bits(j.format), 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return CCE_E_NOMEM;
    const auto* in = static_cast<const uint8_t*>(j.src);
    auto* out = static_cast<uint8_t*>(j.dst);
    size_t in_left = j.src_len, out_left = j.dst_cap;
    int rc;
    for (;;) {
        const size_t ni = std::min(in_left, kZChunk), no = std::min(out_left, kZChunk);
        z.next_in = const_cast<Bytef*>(in);
        z.avail_in = static_cast<uInt>(ni);
        z.next_out = out;
        z.avail_out = static_cast<uInt>(no);
        rc = deflate(&z, ni == in_left ? Z_FINISH : Z_NO_FLUSH);
        in += ni - z.avail_in;
        in_left -= ni - z.avail_in;
        out += no - z.avail_out;
        out_left -= no - z.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) break;
        if (out_left == 0) {
            rc = Z_BUF_ERROR;
            break;
        }
    }
    deflateEnd(&z);
    if (rc == Z_STREAM_END) {
        j.dst_len = j.dst_cap - out_left;
        return CCE_OK;
    }
    if (rc == Z_BUF_ERROR) {
        j.dst_len = cce_compress_bound(j.src_len);
        return CCE_E_OUTPUT_TOO_SMALL;
    }
    return CCE_E_NOMEM;
}

int sw_decompress(cce_job& j) {
    z_stream z{};
    if (inflateInit2(&z, window_bits(j.format)) != Z_OK) return CCE_E_NOMEM;
    const auto* in = static_cast<const uint8_t*>(j.src);
    auto* out = static_cast<uint8_t*>(j.dst);
    size_t in_left = j.src_len, out_left = j.dst_cap;
    int rc, err = CCE_OK;
    for (;;) {
        const size_t ni = std::min(in_left, kZChunk), no = std::min(out_left, kZChunk);
        z.next_in = const_cast<Bytef*>(in);
        z.avail_in = static_cast<uInt>(ni);
        z.next_out = out;
        z.avail_out = static_cast<uInt>(no);
        rc = inflate(&z, Z_NO_FLUSH);
        const size_t used_in = ni - z.avail_in, used_out = no - z.avail_out;
        in += used_in;
        in_left -= used_in;
        out += used_out;
        out_left -= used_out;
        if (rc == Z_STREAM_END) {
            if (in_left) err = CCE_E_CORRUPT_INPUT;  // data after the end of the stream
            break;
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            err = CCE_E_CORRUPT_INPUT;
            break;
        }
        if (rc == Z_MEM_ERROR) {
            err = CCE_E_NOMEM;
            break;
        }
        if (!used_in && !used_out) {  // no progress: out of input or of output
            err = out_left == 0 ? CCE_E_OUTPUT_TOO_SMALL : CCE_E_CORRUPT_INPUT;
            break;
        }
    }
    inflateEnd(&z);
    j.dst_len = err == CCE_E_OUTPUT_TOO_SMALL ? 0 : j.dst_cap - out_left;
    return err;
}

// tweak = iv + idx as a 128-bit little-endian number (the device's convention).
void tweak_add(const uint8_t* iv, uint64_t idx, uint8_t* out) {
    unsigned carry = 0;
    for (int b = 0; b < 16; ++b) {
        const unsigned s = iv[b] + unsigned(idx & 0xff) + carry;
        out[b] = uint8_t(s);
        carry = s >> 8;
        idx >>= 8;
    }
}

int sw_xts(cce_job& j, bool enc) {
    const size_t half = j.key_len / 2;
    const auto* key = static_cast<const uint8_t*>(j.key);
    if (std::memcmp(key, key + half, half) == 0) return CCE_E_INVALID_PARAM;
    const EVP_CIPHER* c = half == 32 ? EVP_aes_256_xts() : EVP_aes_128_xts();
    EVP_CIPHER_CTX* x = EVP_CIPHER_CTX_new();
    if (!x) return CCE_E_NOMEM;
    const size_t unit = j.sector_size ? j.sector_size : j.src_len;
    const auto* src = static_cast<const uint8_t*>(j.src);
    auto* dst = static_cast<uint8_t*>(j.dst);
    int err = CCE_OK;
    for (size_t off = 0, idx = 0; off < j.src_len && err == CCE_OK; off += unit, ++idx) {
        const size_t n = std::min(unit, j.src_len - off);
        uint8_t tweak[16];
        tweak_add(static_cast<const uint8_t*>(j.iv), idx, tweak);
        int outl = 0;
        if (EVP_CipherInit_ex(x, c, nullptr, key, tweak, enc ? 1 : 0) != 1 || n > INT_MAX ||
            EVP_CipherUpdate(x, dst + off, &outl, src + off, int(n)) != 1 || size_t(outl) != n)
            err = CCE_E_INVALID_PARAM;
    }
    EVP_CIPHER_CTX_free(x);
    if (err == CCE_OK) j.dst_len = j.src_len;
    return err;
}

int sw_gcm(cce_job& j, bool enc) {
    const EVP_CIPHER* c = j.key_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
    EVP_CIPHER_CTX* x = EVP_CIPHER_CTX_new();
    if (!x) return CCE_E_NOMEM;
    int err = CCE_OK, outl = 0;
    const auto* src = static_cast<const uint8_t*>(j.src);
    auto* dst = static_cast<uint8_t*>(j.dst);
    auto fail = [&](int e) {
        EVP_CIPHER_CTX_free(x);
        return e;
    };
    if (EVP_CipherInit_ex(x, c, nullptr, nullptr, nullptr, enc ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, int(j.iv_len), nullptr) != 1 ||
        EVP_CipherInit_ex(x, nullptr, nullptr, static_cast<const uint8_t*>(j.key),
                          static_cast<const uint8_t*>(j.iv), enc ? 1 : 0) != 1)
        return fail(CCE_E_INVALID_PARAM);
    const auto* aad = static_cast<const uint8_t*>(j.aad);
    for (size_t off = 0; off < j.aad_len;) {
        const size_t n = std::min<size_t>(j.aad_len - off, 1u << 30);
        if (EVP_CipherUpdate(x, nullptr, &outl, aad + off, int(n)) != 1) return fail(CCE_E_INVALID_PARAM);
        off += n;
    }
    // Decrypt straight into dst and wipe it on a tag mismatch: no plaintext
    // is kept, as on the device.
    for (size_t off = 0; off < j.src_len;) {
        const size_t n = std::min<size_t>(j.src_len - off, 1u << 30);
        if (EVP_CipherUpdate(x, dst + off, &outl, src + off, int(n)) != 1) return fail(CCE_E_INVALID_PARAM);
        off += n;
    }
    if (!enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, int(j.tag_len), j.tag) != 1)
        return fail(CCE_E_INVALID_PARAM);
    uint8_t fin[16];
    if (EVP_CipherFinal_ex(x, fin, &outl) != 1) {
        err = enc ? CCE_E_INVALID_PARAM : CCE_E_AUTH_FAILED;
        if (!enc && j.src_len) std::memset(dst, 0, j.src_len);
    } else if (enc) {
        uint8_t tag[16];
        if (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1) err = CCE_E_INVALID_PARAM;
        else std::memcpy(j.tag, tag, j.tag_len);
    }
    EVP_CIPHER_CTX_free(x);
    if (err == CCE_OK) j.dst_len = j.src_len;
    return err;
}

int sw_sha(cce_job& j) {
    EVP_MD_CTX* m = EVP_MD_CTX_new();
    if (!m) return CCE_E_NOMEM;
    unsigned len = 0;
    const bool ok = EVP_DigestInit_ex(m, EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(m, j.src, j.src_len) == 1 &&
                    EVP_DigestFinal_ex(m, static_cast<uint8_t*>(j.dst), &len) == 1;
    EVP_MD_CTX_free(m);
    if (!ok) return CCE_E_NOMEM;
    j.dst_len = 32;
    return CCE_OK;
}

int sw_hmac(cce_job& j) {
    unsigned len = 0;
    static const uint8_t empty = 0;
    if (!HMAC(EVP_sha256(), j.key_len ? j.key : &empty, int(j.key_len),
              static_cast<const uint8_t*>(j.src ? j.src : &empty), j.src_len, static_cast<uint8_t*>(j.dst),
              &len))
        return CCE_E_NOMEM;
    j.dst_len = 32;
    return CCE_OK;
}

class SoftBackend final : public Backend {
public:
    const char* name() const override { return "software"; }
    bool supports(const cce_job&) const override { return true; }
    int submit(JobRec* r) override {
        r->job->status = run_soft(*r->job);
        done_.push_back(r);
        return CCE_OK;
    }
    int poll(std::vector<JobRec*>& done, int) override {
        if (done_.empty()) return CCE_E_AGAIN;
        done.insert(done.end(), done_.begin(), done_.end());
        done_.clear();
        return CCE_OK;
    }
    size_t in_flight() const override { return done_.size(); }

private:
    std::deque<JobRec*> done_;
};

}  // namespace

uint32_t crc32c_sw(uint32_t crc, const void* p, size_t n) {
    static const bool init = crc32c_init();
    (void)init;
    const auto* b = static_cast<const uint8_t*>(p);
    crc = ~crc;
    while (n >= 8) {
        uint64_t v;
        std::memcpy(&v, b, 8);
        v ^= crc;
        crc = crc32c_table[7][v & 0xff] ^ crc32c_table[6][(v >> 8) & 0xff] ^ crc32c_table[5][(v >> 16) & 0xff] ^
              crc32c_table[4][(v >> 24) & 0xff] ^ crc32c_table[3][(v >> 32) & 0xff] ^
              crc32c_table[2][(v >> 40) & 0xff] ^ crc32c_table[1][(v >> 48) & 0xff] ^
              crc32c_table[0][v >> 56];
        b += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ crc32c_table[0][(crc ^ *b++) & 0xff];
    return ~crc;
}

int run_soft(cce_job& j) {
    j.dst_len = 0;
    switch (j.op) {
    case CCE_JOB_MEMCPY:
        if (j.src_len) std::memcpy(j.dst, j.src, j.src_len);
        j.dst_len = j.src_len;
        return CCE_OK;
    case CCE_JOB_CRC32:
        j.crc = uint32_t(crc32_z(j.seed, static_cast<const Bytef*>(j.src), j.src_len));
        return CCE_OK;
    case CCE_JOB_CRC32C: j.crc = crc32c_sw(j.seed, j.src, j.src_len); return CCE_OK;
    case CCE_JOB_COMPRESS: return sw_compress(j);
    case CCE_JOB_DECOMPRESS: return sw_decompress(j);
    case CCE_JOB_XTS_ENC: return sw_xts(j, true);
    case CCE_JOB_XTS_DEC: return sw_xts(j, false);
    case CCE_JOB_GCM_ENC: return sw_gcm(j, true);
    case CCE_JOB_GCM_DEC: return sw_gcm(j, false);
    case CCE_JOB_SHA256: return sw_sha(j);
    case CCE_JOB_HMAC_SHA256: return sw_hmac(j);
    default: return CCE_E_INVAL;
    }
}

std::unique_ptr<Backend> make_soft_backend() { return std::make_unique<SoftBackend>(); }

}  // namespace cce::lib
