// SPDX-License-Identifier: MIT
// The model side of the cosim link: a cce::model::HostInterface whose host
// is QEMU's cce-pci device on the other end of a socket
// (include/cce/cce_cosim.h), plus the loop that feeds QEMU's messages into
// a cce::model::Engine.
//
// Single-threaded. HostInterface calls are made from inside the engine's
// simulation and block until QEMU answers; messages QEMU sends meanwhile
// (MMIO, invalidations, page responses, resets) are queued and applied
// after the current simulation step, never re-entering the engine.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "cce/cce_cosim.h"
#include "cce/model/engine.h"
#include "cce/model/host_if.h"
#include "cce/cosim/sock.h"

namespace cce::cosim {

struct LinkOptions {
    unsigned num_queues = 16;
    unsigned clock_mhz = 1000;
    size_t xfer_size = 1u << 20;  // DMA transfer buffer (shared memory)
    int timeout_ms = 30000;       // waiting for one reply from QEMU
    int spin_us = 0;              // busy-poll before blocking (0: never)
    bool map_guest_ram = true;    // accept MEM_REGION fds
    bool bus_master = false;      // state before QEMU's first BUS_MASTER/RESET
    FILE* log = stderr;
};

struct LinkStats {
    uint64_t msgs_in = 0, msgs_out = 0;
    uint64_t mmio_reads = 0, mmio_writes = 0;
    uint64_t dma_direct = 0, dma_direct_bytes = 0;  // straight in shared guest RAM
    uint64_t dma_msg = 0, dma_msg_bytes = 0;        // through QEMU
    uint64_t ats = 0, page_requests = 0, page_responses = 0, msix = 0;
    uint64_t invalidations = 0, resets = 0;
    uint64_t aer = 0, aer_dropped = 0;  // dropped: QEMU speaks protocol 1.0
};

// Serviced by ModelLink::run between simulation steps (the control socket
// of cce-model): fds to poll, and what to do when one is readable.
class LinkSideChannel {
public:
    virtual ~LinkSideChannel() = default;
    virtual std::vector<int> poll_fds() const = 0;
    virtual void service(model::Engine& engine) = 0;
};

class ModelLink : public model::HostInterface {
public:
    ModelLink(int fd, const LinkOptions& opt);
    ~ModelLink() override;
    ModelLink(const ModelLink&) = delete;
    ModelLink& operator=(const ModelLink&) = delete;

    // Receive HELLO + regions, answer HELLO_ACK. False: refused (logged).
    bool handshake();
    // Serve until QEMU disconnects (true) or a protocol error / timeout
    // (false, logged). Needs attach() first.
    bool run();
    void attach(model::Engine* e) { engine_ = e; }
    void set_side_channel(LinkSideChannel* c) { side_ = c; }

    bool alive() const { return alive_; }
    const std::string& error() const { return error_; }
    const LinkStats& stats() const { return stats_; }
    uint32_t host_flags() const { return host_flags_; }
    size_t shared_regions() const { return regions_.size(); }

    // HostInterface
    model::DmaStatus dma_read(uint64_t addr, void* buf, size_t len,
                              const model::DmaAttrs& attrs) override;
    model::DmaStatus dma_write(uint64_t addr, const void* buf, size_t len,
                               const model::DmaAttrs& attrs) override;
    model::AtsResult ats_translate(uint32_t pasid, uint64_t addr, bool write) override;
    void page_request(const model::PageRequest& req) override;
    void raise_msix(uint16_t vector) override;
    void raise_aer(model::AerSeverity sev, uint64_t info) override;

private:
    // Wait for QEMU's next message or the side channel; true: QEMU's.
    bool wait_input();
    struct Region {
        uint64_t gpa, size;
        uint8_t* map;
    };
    void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    bool send(cce_cosim_msg& m, int pass_fd = -1);
    // Send a request and wait for the reply of type `reply`; queue the rest.
    bool call(cce_cosim_msg& m, uint16_t reply, cce_cosim_msg* out);
    // Receive one valid message from QEMU (waiting up to timeout_ms).
    bool receive(cce_cosim_msg* m, int timeout_ms, bool* timed_out);
    void handle(const cce_cosim_msg& m);
    uint8_t* direct(uint64_t addr, size_t len, const model::DmaAttrs& a);
    model::DmaStatus dma_msg(bool write, uint64_t addr, uint8_t* buf, size_t len,
                             const model::DmaAttrs& a);

    int fd_;
    LinkOptions opt_;
    model::Engine* engine_ = nullptr;
    bool alive_ = true;
    bool bus_master_ = false;
    std::string error_;
    uint32_t seq_ = 0;
    uint32_t host_flags_ = 0;
    uint16_t host_minor_ = 0;
    LinkSideChannel* side_ = nullptr;
    uint8_t* xfer_ = nullptr;
    int xfer_fd_ = -1;
    std::vector<Region> regions_;
    std::deque<cce_cosim_msg> deferred_;
    LinkStats stats_;
};

}  // namespace cce::cosim
