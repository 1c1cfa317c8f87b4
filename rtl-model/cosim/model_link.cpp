// SPDX-License-Identifier: MIT
#include "cce/cosim/model_link.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cce/cce_hw.h"
#include "cce/cosim/sock.h"

namespace cce::cosim {

namespace {
constexpr size_t kMaxDeferred = 65536;
}

ModelLink::ModelLink(int fd, const LinkOptions& opt)
    : fd_(fd), opt_(opt), bus_master_(opt.bus_master) {}

ModelLink::~ModelLink() {
    for (auto& r : regions_) munmap(r.map, r.size);
    if (xfer_) munmap(xfer_, opt_.xfer_size);
    if (xfer_fd_ >= 0) close(xfer_fd_);
    if (fd_ >= 0) close(fd_);
}

void ModelLink::fail(const char* fmt, ...) {
    if (!alive_) return;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    error_ = buf;
    alive_ = false;
    if (opt_.log) std::fprintf(opt_.log, "cce-model: link error: %s\n", buf);
}

bool ModelLink::send(cce_cosim_msg& m, int pass_fd) {
    if (!alive_) return false;
    if (!send_msg(fd_, m, pass_fd)) {
        fail("send %s: %s", cce_cosim_type_str(m.type), std::strerror(errno));
        return false;
    }
    ++stats_.msgs_out;
    return true;
}

bool ModelLink::receive(cce_cosim_msg* m, int timeout_ms, bool* timed_out) {
    *timed_out = false;
    size_t len = 0;
    int got_fd = -1;
    RecvStatus st = recv_msg(fd_, m, &len, &got_fd, timeout_ms, opt_.spin_us);
    if (got_fd >= 0) close(got_fd);  // fds only expected in the handshake
    switch (st) {
    case RecvStatus::Ok:
        break;
    case RecvStatus::Timeout:
        *timed_out = true;
        return false;
    case RecvStatus::Closed:
        alive_ = false;
        return false;
    default:
        fail("recv: %s", std::strerror(errno));
        return false;
    }
    ++stats_.msgs_in;
    int e = cce_cosim_check_to_model(m, len, opt_.num_queues);
    if (e) {
        fail("invalid message from QEMU (type 0x%x, %zu bytes): %s", m->type, len,
             cce_cosim_err_str(e));
        return false;
    }
    if (m->type == CCE_COSIM_HELLO || m->type == CCE_COSIM_MEM_REGION) {
        fail("%s after the handshake", cce_cosim_type_str(m->type));
        return false;
    }
    return true;
}

bool ModelLink::handshake() {
    cce_cosim_msg m;
    size_t len = 0;
    int got_fd = -1;
    RecvStatus st = recv_msg(fd_, &m, &len, &got_fd, opt_.timeout_ms);
    if (got_fd >= 0) close(got_fd);
    if (st != RecvStatus::Ok) {
        fail("no HELLO from QEMU");
        return false;
    }
    ++stats_.msgs_in;
    int e = cce_cosim_check_to_model(&m, len, opt_.num_queues);
    if (!e && m.type != CCE_COSIM_HELLO) e = CCE_COSIM_E_TYPE;
    if (e) {
        fail("bad HELLO: %s", cce_cosim_err_str(e));
        return false;
    }
    const uint32_t hello_seq = m.seq;
    const uint32_t nreg = m.u.hello.nregions;
    host_flags_ = m.u.hello.flags;
    host_minor_ = m.u.hello.ver_minor;
    if (m.u.hello.num_queues != opt_.num_queues && opt_.log)
        std::fprintf(opt_.log, "cce-model: QEMU wants %u queues, model has %u: refusing\n",
                     m.u.hello.num_queues, opt_.num_queues);
    for (uint32_t i = 0; i < nreg; ++i) {
        st = recv_msg(fd_, &m, &len, &got_fd, opt_.timeout_ms);
        if (st != RecvStatus::Ok) {
            fail("handshake: missing MEM_REGION %u", i);
            return false;
        }
        ++stats_.msgs_in;
        e = cce_cosim_check_to_model(&m, len, opt_.num_queues);
        if (!e && (m.type != CCE_COSIM_MEM_REGION || m.u.region.index != i)) e = CCE_COSIM_E_TYPE;
        if (!e && got_fd < 0) e = CCE_COSIM_E_RANGE;
        if (e) {
            if (got_fd >= 0) close(got_fd);
            fail("bad MEM_REGION %u: %s", i, cce_cosim_err_str(e));
            return false;
        }
        if (opt_.map_guest_ram) {
            void* p = mmap(nullptr, m.u.region.size, PROT_READ | PROT_WRITE, MAP_SHARED, got_fd,
                           static_cast<off_t>(m.u.region.fd_offset));
            if (p == MAP_FAILED) {
                if (opt_.log)
                    std::fprintf(opt_.log, "cce-model: cannot map guest RAM region %u: %s\n", i,
                                 std::strerror(errno));
            } else {
                regions_.push_back({m.u.region.gpa, m.u.region.size, static_cast<uint8_t*>(p)});
            }
        }
        close(got_fd);
    }
    void* map = nullptr;
    xfer_fd_ = make_shared_buffer("cce-cosim-xfer", opt_.xfer_size, &map);
    if (xfer_fd_ < 0) {
        fail("transfer buffer: %s", std::strerror(errno));
        return false;
    }
    xfer_ = static_cast<uint8_t*>(map);
    cce_cosim_msg ack{};
    ack.type = CCE_COSIM_HELLO_ACK;
    ack.seq = hello_seq;
    ack.u.hello.magic = CCE_COSIM_MAGIC;
    ack.u.hello.ver_major = CCE_COSIM_VERSION_MAJOR;
    ack.u.hello.ver_minor = CCE_COSIM_VERSION_MINOR;
    ack.u.hello.num_queues = opt_.num_queues;
    ack.u.hello.nregions = static_cast<uint32_t>(regions_.size());
    ack.u.hello.clock_mhz = opt_.clock_mhz;
    ack.u.hello.xfer_size = opt_.xfer_size;
    if (!send(ack, xfer_fd_)) return false;
    close(xfer_fd_);
    xfer_fd_ = -1;
    if (opt_.log)
        std::fprintf(opt_.log,
                     "cce-model: link up: %u queues, %zu shared RAM regions, identity DMA %s\n",
                     opt_.num_queues, regions_.size(),
                     (host_flags_ & CCE_COSIM_HF_IDENTITY_DMA) ? "yes" : "no");
    return true;
}

bool ModelLink::call(cce_cosim_msg& m, uint16_t reply, cce_cosim_msg* out) {
    if (!alive_) return false;
    seq_ = seq_ + 1 ? seq_ + 1 : 1;
    m.seq = seq_;
    if (!send(m)) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(opt_.timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            fail("no %s reply from QEMU within %d ms", cce_cosim_type_str(reply), opt_.timeout_ms);
            return false;
        }
        bool to = false;
        cce_cosim_msg r;
        if (!receive(&r, static_cast<int>(left), &to)) {
            if (to) continue;
            if (alive_) fail("link closed while waiting for %s", cce_cosim_type_str(reply));
            return false;
        }
        if (r.type == CCE_COSIM_DMA_DONE || r.type == CCE_COSIM_ATS_DONE) {
            if (r.type != reply || r.seq != seq_) {
                fail("unexpected %s (seq %u) while waiting for %s (seq %u)",
                     cce_cosim_type_str(r.type), r.seq, cce_cosim_type_str(reply), seq_);
                return false;
            }
            *out = r;
            return true;
        }
        // A request or posted message from QEMU: apply after this step.
        if (deferred_.size() >= kMaxDeferred) {
            fail("too many queued messages from QEMU");
            return false;
        }
        deferred_.push_back(r);
    }
}

void ModelLink::handle(const cce_cosim_msg& m) {
    cce_cosim_msg r{};
    switch (m.type) {
    case CCE_COSIM_MMIO_READ: {
        ++stats_.mmio_reads;
        r.type = CCE_COSIM_MMIO_DATA;
        r.seq = m.seq;
        uint64_t v = engine_->mmio_read(m.u.mmio.bar, m.u.mmio.offset, m.u.mmio.size);
        r.u.mmio.value = m.u.mmio.size == 4 ? (v & 0xffffffffu) : v;
        send(r);
        break;
    }
    case CCE_COSIM_MMIO_WRITE:
        ++stats_.mmio_writes;
        engine_->mmio_write(m.u.mmio.bar, m.u.mmio.offset, m.u.mmio.value, m.u.mmio.size);
        break;
    case CCE_COSIM_ATC_INVAL:
        ++stats_.invalidations;
        if (m.u.inval.flags & CCE_COSIM_INVAL_ALL)
            engine_->ats_invalidate_all();
        else
            engine_->ats_invalidate(m.u.inval.pasid, m.u.inval.addr, m.u.inval.size);
        r.type = CCE_COSIM_ACK;
        r.seq = m.seq;
        r.u.status.req_type = m.type;
        send(r);
        break;
    case CCE_COSIM_PAGE_RESP:
        ++stats_.page_responses;
        engine_->page_response(m.u.pr.pasid, m.u.pr.prgi, m.u.pr.code == CCE_COSIM_PR_SUCCESS);
        break;
    case CCE_COSIM_RESET:
        ++stats_.resets;
        engine_->function_reset();
        engine_->set_bus_master(false);
        bus_master_ = false;
        r.type = CCE_COSIM_ACK;
        r.seq = m.seq;
        r.u.status.req_type = m.type;
        send(r);
        break;
    case CCE_COSIM_BUS_MASTER:
        bus_master_ = m.u.bm.enable != 0;
        engine_->set_bus_master(bus_master_);
        r.type = CCE_COSIM_ACK;
        r.seq = m.seq;
        r.u.status.req_type = m.type;
        send(r);
        break;
    default:
        fail("unexpected %s from QEMU", cce_cosim_type_str(m.type));
        break;
    }
}

bool ModelLink::run() {
    if (!engine_) {
        fail("no engine attached");
        return false;
    }
    engine_->set_bus_master(bus_master_);
    while (alive_) {
        cce_cosim_msg m;
        if (!deferred_.empty()) {
            m = deferred_.front();
            deferred_.pop_front();
        } else {
            if (side_ && !wait_input()) {
                // Control commands may add work (a timed fault, say).
                if (alive_) engine_->run_until_idle();
                continue;
            }
            bool to = false;
            if (!receive(&m, -1, &to)) break;
        }
        handle(m);
        if (alive_) engine_->run_until_idle();
    }
    return error_.empty();
}

bool ModelLink::wait_input() {
    for (;;) {
        std::vector<pollfd> p;
        p.push_back({fd_, POLLIN, 0});
        for (int f : side_->poll_fds()) p.push_back({f, POLLIN, 0});
        int n = poll(p.data(), p.size(), -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return true;  // let receive() report it
        }
        bool side_ready = false;
        for (size_t i = 1; i < p.size(); ++i)
            if (p[i].revents) side_ready = true;
        if (side_ready) {
            side_->service(*engine_);
            return false;
        }
        return true;
    }
}

// --------------------------------------------------------------- DMA ---

uint8_t* ModelLink::direct(uint64_t addr, size_t len, const model::DmaAttrs& a) {
    if (regions_.empty() || !bus_master_) return nullptr;
    const bool ok = a.translated ||
                    (!a.pasid_valid && (host_flags_ & CCE_COSIM_HF_IDENTITY_DMA));
    if (!ok) return nullptr;
    for (auto& r : regions_) {
        if (addr >= r.gpa && len <= r.size && addr - r.gpa <= r.size - len)
            return r.map + (addr - r.gpa);
    }
    return nullptr;
}

model::DmaStatus ModelLink::dma_msg(bool write, uint64_t addr, uint8_t* buf, size_t len,
                                    const model::DmaAttrs& a) {
    size_t done = 0;
    while (done < len) {
        const size_t chunk = std::min(len - done, opt_.xfer_size);
        if (addr + done < addr) return model::DmaStatus::BusError;
        cce_cosim_msg m{};
        m.type = write ? CCE_COSIM_DMA_WRITE : CCE_COSIM_DMA_READ;
        m.u.dma.addr = addr + done;
        m.u.dma.len = static_cast<uint32_t>(chunk);
        if (a.pasid_valid) {
            m.u.dma.flags |= CCE_COSIM_DMA_PASID;
            m.u.dma.pasid = a.pasid & CCE_COSIM_PASID_MASK;
        }
        if (a.translated) m.u.dma.flags |= CCE_COSIM_DMA_TRANSLATED;
        if (write) std::memcpy(xfer_, buf + done, chunk);
        cce_cosim_msg r;
        if (!call(m, CCE_COSIM_DMA_DONE, &r)) return model::DmaStatus::BusError;
        ++stats_.dma_msg;
        stats_.dma_msg_bytes += chunk;
        if (r.u.status.status == CCE_COSIM_DMA_FAULT) return model::DmaStatus::Fault;
        if (r.u.status.status != CCE_COSIM_DMA_OK) return model::DmaStatus::BusError;
        if (!write) std::memcpy(buf + done, xfer_, chunk);
        done += chunk;
    }
    return model::DmaStatus::Ok;
}

model::DmaStatus ModelLink::dma_read(uint64_t addr, void* buf, size_t len,
                                     const model::DmaAttrs& attrs) {
    if (!alive_) return model::DmaStatus::BusError;
    if (len == 0) return model::DmaStatus::Ok;
    if (uint8_t* p = direct(addr, len, attrs)) {
        std::memcpy(buf, p, len);
        ++stats_.dma_direct;
        stats_.dma_direct_bytes += len;
        return model::DmaStatus::Ok;
    }
    return dma_msg(false, addr, static_cast<uint8_t*>(buf), len, attrs);
}

model::DmaStatus ModelLink::dma_write(uint64_t addr, const void* buf, size_t len,
                                      const model::DmaAttrs& attrs) {
    if (!alive_) return model::DmaStatus::BusError;
    if (len == 0) return model::DmaStatus::Ok;
    if (uint8_t* p = direct(addr, len, attrs)) {
        std::memcpy(p, buf, len);
        ++stats_.dma_direct;
        stats_.dma_direct_bytes += len;
        return model::DmaStatus::Ok;
    }
    return dma_msg(true, addr, static_cast<uint8_t*>(const_cast<void*>(buf)), len, attrs);
}

model::AtsResult ModelLink::ats_translate(uint32_t pasid, uint64_t addr, bool write) {
    model::AtsResult res;
    if (!alive_) return res;
    ++stats_.ats;
    cce_cosim_msg m{};
    m.type = CCE_COSIM_ATS_REQ;
    m.u.ats.addr = addr & ~static_cast<uint64_t>(CCE_PAGE_SIZE - 1);
    m.u.ats.pasid = pasid & CCE_COSIM_PASID_MASK;
    m.u.ats.flags = CCE_COSIM_ATS_PASID | (write ? CCE_COSIM_ATS_WRITE : 0);
    cce_cosim_msg r;
    if (!call(m, CCE_COSIM_ATS_DONE, &r)) return res;
    res.ok = r.u.ats.flags & CCE_COSIM_ATS_OK;
    res.read = r.u.ats.flags & CCE_COSIM_ATS_R;
    res.write = r.u.ats.flags & CCE_COSIM_ATS_W;
    res.addr = r.u.ats.addr;
    res.page_shift = res.ok ? r.u.ats.page_shift : CCE_PAGE_SHIFT;
    return res;
}

void ModelLink::page_request(const model::PageRequest& req) {
    ++stats_.page_requests;
    cce_cosim_msg m{};
    m.type = CCE_COSIM_PAGE_REQ;
    m.u.pr.pasid = req.pasid & CCE_COSIM_PASID_MASK;
    m.u.pr.addr = req.addr & ~static_cast<uint64_t>(CCE_PAGE_SIZE - 1);
    m.u.pr.prgi = req.prg_index & CCE_COSIM_PRGI_MASK;
    m.u.pr.flags = static_cast<uint16_t>((req.read ? CCE_COSIM_PR_READ : 0) |
                                         (req.write ? CCE_COSIM_PR_WRITE : 0));
    if (!m.u.pr.flags) m.u.pr.flags = CCE_COSIM_PR_READ;
    send(m);
}

void ModelLink::raise_aer(model::AerSeverity sev, uint64_t info) {
    if (host_minor_ < 1) {  // a 1.0 host would take AER as a protocol error
        ++stats_.aer_dropped;
        return;
    }
    ++stats_.aer;
    cce_cosim_msg m{};
    m.type = CCE_COSIM_AER;
    m.u.aer.severity = sev == model::AerSeverity::Correctable ? CCE_COSIM_AER_CORRECTABLE
                       : sev == model::AerSeverity::NonFatal  ? CCE_COSIM_AER_NONFATAL
                                                              : CCE_COSIM_AER_FATAL;
    m.u.aer.info = info;
    send(m);
}

void ModelLink::raise_msix(uint16_t vector) {
    ++stats_.msix;
    cce_cosim_msg m{};
    m.type = CCE_COSIM_MSIX;
    m.u.msix.vector = vector;
    send(m);
}

}  // namespace cce::cosim
