// SPDX-License-Identifier: MIT
#include "queue.h"

#include <atomic>
#include <cstring>

namespace cce::lib {

Queue::Queue(Transport& t) : t_(t), sq_(t.info().sq), cq_(t.info().cq), n_(t.info().entries) {}

uint32_t Queue::space() const { return (sq_head_ - tail_ - 1) & (n_ - 1); }

bool Queue::push(const cce_desc& d) {
    if (!space()) return false;
    // The SQ may be device memory shared with the engine: plain 64-byte copy,
    // ordered before the doorbell by publish()'s release fence.
    std::memcpy(&sq_[tail_], &d, sizeof d);
    tail_ = (tail_ + 1) & (n_ - 1);
    ++outstanding_;
    return true;
}

void Queue::publish() {
    if (tail_ == published_) return;
    std::atomic_thread_fence(std::memory_order_release);
    published_ = tail_;
    t_.doorbell(CCE_DB_SQ_TAIL, tail_);
}

bool Queue::reap(cce_cpl& out) {
    volatile cce_cpl* e = &cq_[cq_head_];
    const uint8_t flags = e->flags;  // written last by the device
    if ((flags & CCE_CPL_PHASE) != phase_) return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    std::memcpy(&out, const_cast<const cce_cpl*>(e), sizeof out);
    out.flags = flags;
    sq_head_ = out.sq_head & (n_ - 1);
    cq_head_ = (cq_head_ + 1) & (n_ - 1);
    if (cq_head_ == 0) phase_ ^= 1;
    if (outstanding_) --outstanding_;
    return true;
}

void Queue::ack() {
    if (cq_head_ == acked_) return;
    acked_ = cq_head_;
    t_.doorbell(CCE_DB_CQ_HEAD, cq_head_);
}

void Queue::reset() {
    tail_ = published_ = sq_head_ = cq_head_ = acked_ = 0;
    phase_ = 1;
    outstanding_ = 0;
}

}  // namespace cce::lib
