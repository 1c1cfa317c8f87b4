// SPDX-License-Identifier: MIT
// A driver-like helper that owns one engine queue: allocates its rings in
// the queue's address space, programs the registers, writes descriptors,
// rings the doorbell and consumes completions by the phase bit, exactly as
// the kernel driver and libcce do.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/harness/harness.h"
#include "cce/model/engine.h"

namespace cce::harness {

struct QueueOptions {
    uint32_t sq_entries = 64;
    uint32_t cq_entries = 64;
    std::optional<uint32_t> pasid;  // PASID-tagged DMA through ATS when set
    bool pri = false;               // page requests on not-present pages
    uint32_t irq = CCE_QIRQ_MAKE(1, 0);  // Q_IRQ register value
};

class TestQueue {
public:
    TestQueue(Harness& h, model::Engine& e, unsigned index, const QueueOptions& o = {});

    // Program the registers and enable; returns the Q_STATUS afterwards.
    uint32_t enable();
    void disable();
    // Write a descriptor at the SQ tail (not yet visible to the device).
    void push(const cce_desc& d);
    // Publish pushed descriptors: write the SQ tail doorbell.
    void ring();
    void submit(const cce_desc& d) { push(d); ring(); }
    // Next completion if one is there (phase bit), and report consumption.
    std::optional<cce_cpl> poll();
    // Run the model until idle and collect all new completions.
    std::vector<cce_cpl> run_and_collect();
    // Free SQ slots from software's point of view.
    uint32_t sq_free() const;

    uint32_t reg(uint32_t r) const;
    uint64_t reg64(uint32_t r) const;
    void set_reg(uint32_t r, uint32_t v);
    uint32_t domain() const { return opts_.pasid ? *opts_.pasid : kNoPasid; }
    uint64_t sq_va() const { return sq_; }
    uint64_t cq_va() const { return cq_; }

private:
    Harness& h_;
    model::Engine& e_;
    unsigned index_;
    QueueOptions opts_;
    uint64_t sq_ = 0, cq_ = 0;
    uint32_t tail_ = 0;       // software SQ tail
    uint32_t sq_head_ = 0;    // device SQ head, as reported in completions
    uint32_t cq_head_ = 0;
    uint8_t phase_ = 1;
};

// Descriptor builders.
cce_desc make_desc(uint8_t opcode, uint64_t src = 0, uint32_t src_len = 0, uint64_t dst = 0,
                   uint32_t dst_len = 0, uint64_t cookie = 0, uint8_t flags = CCE_DF_IRQ);

}  // namespace cce::harness
