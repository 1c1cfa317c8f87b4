// SPDX-License-Identifier: MIT
// Round-robin arbiter: a fixed number of execution slots shared by all
// queues. A queue that asks while all slots are busy is served in
// round-robin order after the queue that was granted last.
#include "model.h"

namespace cce::model {

bool Arbiter::grantable(unsigned q) const {
    if (busy_ >= slots_) return false;
    // q may go if no queue ahead of it in round-robin order is waiting.
    const unsigned n = static_cast<unsigned>(want_.size());
    for (unsigned i = 0; i < n; ++i) {
        const unsigned cand = (rr_next_ + i) % n;
        if (cand == q) return true;
        if (want_[cand]) return false;
    }
    return true;
}

bool Arbiter::acquire(unsigned q, uint64_t gen, const uint64_t& cur_gen) {
    want_[q] = true;
    while (!grantable(q)) {
        sc_core::wait(changed_);
        if (gen != cur_gen) return false;
    }
    want_[q] = false;
    ++busy_;
    rr_next_ = (q + 1) % static_cast<unsigned>(want_.size());
    changed_.notify(sc_core::SC_ZERO_TIME);
    return true;
}

void Arbiter::release(unsigned, uint64_t gen, uint64_t cur_gen) {
    if (gen != cur_gen) return;  // slot was already reclaimed by a reset
    if (busy_) --busy_;
    changed_.notify(sc_core::SC_ZERO_TIME);
}

void Arbiter::reset() {
    busy_ = 0;
    rr_next_ = 0;
    std::fill(want_.begin(), want_.end(), false);
    changed_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace cce::model
