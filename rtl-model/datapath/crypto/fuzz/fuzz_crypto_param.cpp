// SPDX-License-Identifier: MIT
// libFuzzer target for the crypto datapath's parameter handling: arbitrary
// cce_xts_param / cce_gcm_param blocks, lengths, tag/IV lengths and stream
// context buffers (Sha256/HmacSha256::restore). Checks invariants: no
// crash/UB, statuses from the documented set, round trips where the
// parameters are valid, and AUTH_FAILED output zeroed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cce/datapath/gcm.h"
#include "cce/datapath/hmac.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"

namespace dp = cce::datapath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const uint8_t sel = data[0];
    data++;
    size--;
    switch (sel % 3) {
    case 0: {  // XTS
        if (size < sizeof(cce_xts_param) + 1) return 0;
        cce_xts_param p;
        std::memcpy(&p, data, sizeof p);
        const bool k256 = data[sizeof p] & 1;
        const uint8_t* msg = data + sizeof p + 1;
        size_t len = size - sizeof p - 1;
        std::vector<uint8_t> ct(len + 1), back(len + 1);
        cce_status st = dp::xts_crypt(p, k256, true, msg, ct.data(), len);
        if (st == CCE_ST_SUCCESS) {
            if (dp::xts_crypt(p, k256, false, ct.data(), back.data(), len) != CCE_ST_SUCCESS) abort();
            if (std::memcmp(back.data(), msg, len) != 0) abort();
        } else if (st != CCE_ST_INVALID_DESC && st != CCE_ST_INVALID_PARAM) {
            abort();
        } else if (len >= 16 && st == CCE_ST_INVALID_DESC) {
            abort();
        }
        break;
    }
    case 1: {  // GCM via the engine parameter block
        if (size < sizeof(cce_gcm_param) + 1) return 0;
        cce_gcm_param p;
        std::memcpy(&p, data, sizeof p);
        const bool k256 = data[sizeof p] & 1;
        const uint8_t* rest = data + sizeof p + 1;
        size_t rest_len = size - sizeof p - 1;
        p.aad_len %= 64;
        if (p.aad_len > rest_len) p.aad_len = static_cast<uint32_t>(rest_len);
        const uint8_t* aad = rest;
        const uint8_t* msg = rest + p.aad_len;
        size_t len = rest_len - p.aad_len;
        std::vector<uint8_t> ct(len + 1), back(len + 1, 0x55);
        cce_gcm_param enc = p;
        cce_status st = dp::gcm_crypt(enc, k256, true, aad, msg, ct.data(), len);
        if (st == CCE_ST_SUCCESS) {
            cce_gcm_param dec = enc;
            if (dp::gcm_crypt(dec, k256, false, aad, ct.data(), back.data(), len) != CCE_ST_SUCCESS) abort();
            if (std::memcmp(back.data(), msg, len) != 0) abort();
            dec.tag[0] ^= 1;
            if (dp::gcm_crypt(dec, k256, false, aad, ct.data(), back.data(), len) != CCE_ST_AUTH_FAILED)
                abort();
            for (size_t i = 0; i < len; ++i)
                if (back[i]) abort();
        } else if (st != CCE_ST_INVALID_PARAM) {
            abort();
        }
        // decrypt with the fuzzer's tag: success or AUTH_FAILED or INVALID_PARAM
        st = dp::gcm_crypt(p, k256, false, aad, msg, back.data(), len);
        if (st != CCE_ST_SUCCESS && st != CCE_ST_AUTH_FAILED && st != CCE_ST_INVALID_PARAM) abort();
        break;
    }
    case 2: {  // stream context restore from untrusted bytes
        if (size >= dp::kHmacStateSize) {
            dp::HmacSha256 h;
            if (h.restore(data) == CCE_ST_SUCCESS) {
                h.update(data, size);
                uint8_t mac[32];
                h.final(mac);
            }
        }
        if (size >= dp::kSha256StateSize) {
            dp::Sha256 s;
            if (s.restore(data) == CCE_ST_SUCCESS) {
                s.update(data, size);
                uint8_t d[32];
                s.final(d);
            }
        }
        break;
    }
    }
    return 0;
}
