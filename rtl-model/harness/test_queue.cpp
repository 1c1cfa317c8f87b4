// SPDX-License-Identifier: MIT
#include "cce/harness/test_queue.h"

#include <stdexcept>

namespace cce::harness {

cce_desc make_desc(uint8_t opcode, uint64_t src, uint32_t src_len, uint64_t dst, uint32_t dst_len,
                   uint64_t cookie, uint8_t flags) {
    cce_desc d{};
    d.opcode = opcode;
    d.flags = flags;
    d.src = src;
    d.src_len = src_len;
    d.dst = dst;
    d.dst_len = dst_len;
    d.cookie = cookie;
    return d;
}

TestQueue::TestQueue(Harness& h, model::Engine& e, unsigned index, const QueueOptions& o)
    : h_(h), e_(e), index_(index), opts_(o) {
    sq_ = h_.alloc(domain(), size_t(o.sq_entries) * CCE_DESC_SIZE);
    cq_ = h_.alloc(domain(), size_t(o.cq_entries) * CCE_CPL_SIZE);
}

uint32_t TestQueue::reg(uint32_t r) const {
    return static_cast<uint32_t>(e_.mmio_read(CCE_BAR0, CCE_QREG(index_, r), 4));
}

uint64_t TestQueue::reg64(uint32_t r) const { return e_.mmio_read(CCE_BAR0, CCE_QREG(index_, r), 8); }

void TestQueue::set_reg(uint32_t r, uint32_t v) { e_.mmio_write(CCE_BAR0, CCE_QREG(index_, r), v, 4); }

uint32_t TestQueue::enable() {
    // A fresh CQ must read as "not new" for phase 1 (hw-spec: zero it).
    const std::vector<uint8_t> zero(size_t(opts_.cq_entries) * CCE_CPL_SIZE, 0);
    h_.write_va(domain(), cq_, zero.data(), zero.size());
    e_.mmio_write(CCE_BAR0, CCE_QREG(index_, CCE_Q_SQ_BASE), sq_, 8);
    e_.mmio_write(CCE_BAR0, CCE_QREG(index_, CCE_Q_CQ_BASE), cq_, 8);
    set_reg(CCE_Q_SQ_SIZE, opts_.sq_entries);
    set_reg(CCE_Q_CQ_SIZE, opts_.cq_entries);
    set_reg(CCE_Q_PASID, opts_.pasid ? (CCE_QPASID_EN | *opts_.pasid) : 0);
    set_reg(CCE_Q_IRQ, opts_.irq);
    tail_ = sq_head_ = cq_head_ = 0;
    phase_ = 1;
    set_reg(CCE_Q_CTRL, CCE_QCTRL_ENABLE | (opts_.pri ? CCE_QCTRL_PRI_EN : 0));
    return reg(CCE_Q_STATUS);
}

void TestQueue::disable() { set_reg(CCE_Q_CTRL, 0); }

uint32_t TestQueue::sq_free() const {
    return (sq_head_ - tail_ - 1) & (opts_.sq_entries - 1);
}

void TestQueue::push(const cce_desc& d) {
    if (!h_.write_va(domain(), sq_ + uint64_t(tail_) * CCE_DESC_SIZE, &d, sizeof d))
        throw std::runtime_error("TestQueue: SQ not mapped");
    tail_ = (tail_ + 1) & (opts_.sq_entries - 1);
}

void TestQueue::ring() {
    e_.mmio_write(CCE_BAR2, uint64_t(index_) * CCE_DB_PAGE_SIZE + CCE_DB_SQ_TAIL, tail_, 4);
}

std::optional<cce_cpl> TestQueue::poll() {
    cce_cpl c{};
    if (!h_.read_va(domain(), cq_ + uint64_t(cq_head_) * CCE_CPL_SIZE, &c, sizeof c))
        return std::nullopt;
    if ((c.flags & CCE_CPL_PHASE) != phase_) return std::nullopt;
    sq_head_ = c.sq_head;
    cq_head_ = (cq_head_ + 1) & (opts_.cq_entries - 1);
    if (cq_head_ == 0) phase_ ^= 1;
    e_.mmio_write(CCE_BAR2, uint64_t(index_) * CCE_DB_PAGE_SIZE + CCE_DB_CQ_HEAD, cq_head_, 4);
    return c;
}

std::vector<cce_cpl> TestQueue::run_and_collect() {
    std::vector<cce_cpl> out;
    for (;;) {
        e_.run_until_idle();
        size_t got = 0;
        while (auto c = poll()) {
            out.push_back(*c);
            ++got;
        }
        if (!got) break;  // freeing CQ space may let the device go on
    }
    return out;
}

}  // namespace cce::harness
