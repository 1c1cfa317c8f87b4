// SPDX-License-Identifier: MIT
// FakeHost: the QEMU side of the cosim link in C++, for tests and the link
// benchmark (no QEMU needed). It owns a "guest RAM" (a memfd, optionally
// shared with the model), serves the model's DMA, ATS (identity map, RW)
// and page requests (answered "success" at once), and counts MSI-X.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cce/cce_cosim.h"

namespace cce::cosim {

struct FakeHostOptions {
    unsigned num_queues = 4;
    uint64_t ram_gpa = 0x100000;      // guest-physical base of the RAM
    uint64_t ram_size = 16u << 20;
    bool share_ram = true;            // send the RAM fd (MEM_REGION)
    bool identity_dma = true;         // CCE_COSIM_HF_IDENTITY_DMA
    int timeout_ms = 10000;
    int spin_us = 0;
};

class FakeHost {
public:
    explicit FakeHost(const FakeHostOptions& o);
    ~FakeHost();
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    // Connect to the model at path and do the handshake. False + error().
    bool connect(const std::string& path, int timeout_ms = 10000);

    bool mmio_read(unsigned bar, uint64_t off, unsigned size, uint64_t* val);
    uint64_t rd32(uint64_t off) {
        uint64_t v = ~0ull;
        mmio_read(0, off, 4, &v);
        return v;
    }
    bool mmio_write(unsigned bar, uint64_t off, uint64_t val, unsigned size);
    bool reset();
    bool bus_master(bool on);
    bool atc_invalidate(uint32_t pasid, uint64_t addr, uint64_t size);
    // Serve the model for up to ms milliseconds, or until msix_count() >= n.
    bool serve_until_msix(uint64_t n, int ms);
    // Send raw bytes (tests of the model's validation).
    bool send_raw(const void* p, size_t len);

    uint8_t* ram() { return ram_; }
    uint64_t gpa(uint64_t off) const { return opt_.ram_gpa + off; }
    uint64_t msix_count() const { return msix_; }
    const std::vector<uint16_t>& msix_vectors() const { return vectors_; }
    const std::vector<cce_cosim_aer>& aer_messages() const { return aer_; }
    uint64_t dma_requests() const { return dma_reqs_; }
    const std::string& error() const { return err_; }
    bool alive() const { return fd_ >= 0 && err_.empty(); }

private:
    bool fail(const std::string& e);
    bool send(cce_cosim_msg& m);
    bool call(cce_cosim_msg& m, uint16_t reply, cce_cosim_msg* out);
    bool pump(int timeout_ms, const cce_cosim_msg** reply_out);
    void serve(const cce_cosim_msg& m);

    FakeHostOptions opt_;
    int fd_ = -1;
    int ram_fd_ = -1;
    uint8_t* ram_ = nullptr;
    uint8_t* xfer_ = nullptr;
    uint64_t xfer_size_ = 0;
    uint32_t seq_ = 0;
    uint16_t wait_type_ = 0;
    uint32_t wait_seq_ = 0;
    cce_cosim_msg reply_{};
    uint64_t msix_ = 0, dma_reqs_ = 0;
    std::vector<uint16_t> vectors_;
    std::vector<cce_cosim_aer> aer_;
    std::string err_;
};

}  // namespace cce::cosim
