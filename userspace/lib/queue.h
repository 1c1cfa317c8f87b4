// SPDX-License-Identifier: MIT
// The CCE ring protocol (docs/hw-spec.md §7, kernel/driver/README.md "Ring
// protocol"): descriptors at the SQ tail + SQ_TAIL doorbell, completions by
// phase bit, CQ_HEAD doorbell, SQ space from cpl.sq_head. Used unchanged by
// the uacce and the loopback transports.
#pragma once

#include <cstdint>

#include "backend.h"

namespace cce::lib {

class Queue {
public:
    explicit Queue(Transport& t);
    // Free SQ slots (at most entries - 1 descriptors outstanding).
    uint32_t space() const;
    // Write a descriptor at the tail (not visible to the device yet).
    // Returns false when the ring is full.
    bool push(const cce_desc& d);
    // Publish pushed descriptors: release barrier, SQ_TAIL doorbell.
    void publish();
    // Next new completion (phase bit matches), or false. Frees SQ slots up to
    // its sq_head. Call ack() after a batch.
    bool reap(cce_cpl& out);
    // Tell the device the completions reaped so far are consumed (CQ_HEAD).
    void ack();
    // After the transport restarted the queue: indices 0, phase 1.
    void reset();
    uint32_t outstanding() const { return outstanding_; }

private:
    Transport& t_;
    cce_desc* sq_;
    cce_cpl* cq_;
    uint32_t n_;
    uint32_t tail_ = 0;       // software SQ tail
    uint32_t published_ = 0;  // last tail written to the doorbell
    uint32_t sq_head_ = 0;    // device SQ head from the last completion
    uint32_t cq_head_ = 0;
    uint32_t acked_ = 0;      // last CQ head written to the doorbell
    uint8_t phase_ = 1;
    uint32_t outstanding_ = 0;
};

}  // namespace cce::lib
