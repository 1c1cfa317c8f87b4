// SPDX-License-Identifier: MIT
#include "cce/cosim/fake_host.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cce/cce_hw.h"
#include "cce/cosim/sock.h"

namespace cce::cosim {

FakeHost::FakeHost(const FakeHostOptions& o) : opt_(o) {
    void* p = nullptr;
    ram_fd_ = make_shared_buffer("cce-fake-guest-ram", opt_.ram_size, &p);
    if (ram_fd_ >= 0) ram_ = static_cast<uint8_t*>(p);
}

FakeHost::~FakeHost() {
    if (xfer_) munmap(xfer_, xfer_size_);
    if (ram_) munmap(ram_, opt_.ram_size);
    if (ram_fd_ >= 0) close(ram_fd_);
    if (fd_ >= 0) close(fd_);
}

bool FakeHost::fail(const std::string& e) {
    if (err_.empty()) err_ = e;
    return false;
}

bool FakeHost::send(cce_cosim_msg& m) {
    if (fd_ < 0) return fail("not connected");
    if (!send_msg(fd_, m)) return fail(std::string("send: ") + std::strerror(errno));
    return true;
}

bool FakeHost::send_raw(const void* p, size_t len) {
    return ::send(fd_, p, len, MSG_NOSIGNAL) == static_cast<ssize_t>(len);
}

bool FakeHost::connect(const std::string& path, int timeout_ms) {
    if (!ram_) return fail("no guest RAM");
    fd_ = connect_unix(path, timeout_ms);
    if (fd_ < 0) return fail(std::string("connect: ") + std::strerror(errno));
    cce_cosim_msg m{};
    m.type = CCE_COSIM_HELLO;
    m.seq = ++seq_;
    m.u.hello.magic = CCE_COSIM_MAGIC;
    m.u.hello.ver_major = CCE_COSIM_VERSION_MAJOR;
    m.u.hello.ver_minor = CCE_COSIM_VERSION_MINOR;
    m.u.hello.num_queues = opt_.num_queues;
    m.u.hello.nregions = opt_.share_ram ? 1 : 0;
    m.u.hello.flags = (opt_.share_ram ? CCE_COSIM_HF_SHARED_RAM : 0) |
                      (opt_.identity_dma ? CCE_COSIM_HF_IDENTITY_DMA : 0);
    if (!send(m)) return false;
    if (opt_.share_ram) {
        cce_cosim_msg r{};
        r.type = CCE_COSIM_MEM_REGION;
        r.u.region.gpa = opt_.ram_gpa;
        r.u.region.size = opt_.ram_size;
        if (!send_msg(fd_, r, ram_fd_)) return fail("send MEM_REGION");
    }
    size_t len = 0;
    int xfd = -1;
    if (recv_msg(fd_, &m, &len, &xfd, opt_.timeout_ms) != RecvStatus::Ok)
        return fail("no HELLO_ACK");
    int e = cce_cosim_check_to_host(&m, len, CCE_MSIX_VECTORS(opt_.num_queues), 0);
    if (e || m.type != CCE_COSIM_HELLO_ACK || m.seq != seq_ || xfd < 0) {
        if (xfd >= 0) close(xfd);
        return fail(std::string("bad HELLO_ACK: ") + cce_cosim_err_str(e));
    }
    if (m.u.hello.num_queues != opt_.num_queues) {
        close(xfd);
        return fail("queue count mismatch");
    }
    xfer_size_ = m.u.hello.xfer_size;
    void* p = mmap(nullptr, xfer_size_, PROT_READ | PROT_WRITE, MAP_SHARED, xfd, 0);
    close(xfd);
    if (p == MAP_FAILED) return fail("mmap xfer");
    xfer_ = static_cast<uint8_t*>(p);
    return true;
}

void FakeHost::serve(const cce_cosim_msg& m) {
    cce_cosim_msg r{};
    switch (m.type) {
    case CCE_COSIM_DMA_READ:
    case CCE_COSIM_DMA_WRITE: {
        ++dma_reqs_;
        const auto& d = m.u.dma;
        r.type = CCE_COSIM_DMA_DONE;
        r.seq = m.seq;
        if (d.addr < opt_.ram_gpa || d.addr - opt_.ram_gpa > opt_.ram_size ||
            d.len > opt_.ram_size - (d.addr - opt_.ram_gpa)) {
            r.u.status.status = CCE_COSIM_DMA_BUS_ERROR;
        } else if (m.type == CCE_COSIM_DMA_READ) {
            std::memcpy(xfer_, ram_ + (d.addr - opt_.ram_gpa), d.len);
        } else {
            std::memcpy(ram_ + (d.addr - opt_.ram_gpa), xfer_, d.len);
        }
        send(r);
        break;
    }
    case CCE_COSIM_ATS_REQ:
        r.type = CCE_COSIM_ATS_DONE;
        r.seq = m.seq;
        r.u.ats.pasid = m.u.ats.pasid;
        r.u.ats.flags = CCE_COSIM_ATS_OK | CCE_COSIM_ATS_R | CCE_COSIM_ATS_W;
        r.u.ats.addr = m.u.ats.addr;
        r.u.ats.page_shift = CCE_PAGE_SHIFT;
        send(r);
        break;
    case CCE_COSIM_PAGE_REQ:
        r.type = CCE_COSIM_PAGE_RESP;
        r.u.pr.pasid = m.u.pr.pasid;
        r.u.pr.prgi = m.u.pr.prgi;
        r.u.pr.code = CCE_COSIM_PR_SUCCESS;
        send(r);
        break;
    case CCE_COSIM_MSIX:
        ++msix_;
        vectors_.push_back(m.u.msix.vector);
        break;
    case CCE_COSIM_AER:
        aer_.push_back(m.u.aer);
        break;
    default:
        fail(std::string("unexpected ") + cce_cosim_type_str(m.type));
        break;
    }
}

// One message: returns true if something was received (reply_out set if it
// was the awaited reply). False on timeout or error (error() says which).
bool FakeHost::pump(int timeout_ms, const cce_cosim_msg** reply_out) {
    *reply_out = nullptr;
    cce_cosim_msg m;
    size_t len = 0;
    int xfd = -1;
    RecvStatus st = recv_msg(fd_, &m, &len, &xfd, timeout_ms, opt_.spin_us);
    if (xfd >= 0) close(xfd);
    if (st == RecvStatus::Timeout) return false;
    if (st != RecvStatus::Ok) return fail("model closed the link");
    int e = cce_cosim_check_to_host(&m, len, CCE_MSIX_VECTORS(opt_.num_queues), xfer_size_);
    if (e) return fail(std::string("invalid message from the model: ") + cce_cosim_err_str(e));
    if (m.type == CCE_COSIM_MMIO_DATA || m.type == CCE_COSIM_ACK ||
        m.type == CCE_COSIM_HELLO_ACK) {
        if (m.type != wait_type_ || m.seq != wait_seq_) return fail("unexpected reply");
        reply_ = m;
        wait_type_ = 0;
        *reply_out = &reply_;
        return true;
    }
    serve(m);
    return err_.empty();
}

bool FakeHost::call(cce_cosim_msg& m, uint16_t reply, cce_cosim_msg* out) {
    m.seq = ++seq_ ? seq_ : ++seq_;
    wait_type_ = reply;
    wait_seq_ = m.seq;
    if (!send(m)) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(opt_.timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        const cce_cosim_msg* r = nullptr;
        if (pump(opt_.timeout_ms, &r)) {
            if (r) {
                if (out) *out = *r;
                return true;
            }
        } else if (!err_.empty()) {
            return false;
        }
    }
    return fail(std::string("timeout waiting for ") + cce_cosim_type_str(reply));
}

bool FakeHost::mmio_read(unsigned bar, uint64_t off, unsigned size, uint64_t* val) {
    cce_cosim_msg m{}, r{};
    m.type = CCE_COSIM_MMIO_READ;
    m.u.mmio.bar = static_cast<uint8_t>(bar);
    m.u.mmio.size = static_cast<uint8_t>(size);
    m.u.mmio.offset = off;
    if (!call(m, CCE_COSIM_MMIO_DATA, &r)) return false;
    *val = r.u.mmio.value;
    return true;
}

bool FakeHost::mmio_write(unsigned bar, uint64_t off, uint64_t val, unsigned size) {
    cce_cosim_msg m{};
    m.type = CCE_COSIM_MMIO_WRITE;
    m.u.mmio.bar = static_cast<uint8_t>(bar);
    m.u.mmio.size = static_cast<uint8_t>(size);
    m.u.mmio.offset = off;
    m.u.mmio.value = size == 4 ? (val & 0xffffffffu) : val;
    return send(m);
}

bool FakeHost::reset() {
    cce_cosim_msg m{};
    m.type = CCE_COSIM_RESET;
    return call(m, CCE_COSIM_ACK, nullptr);
}

bool FakeHost::bus_master(bool on) {
    cce_cosim_msg m{};
    m.type = CCE_COSIM_BUS_MASTER;
    m.u.bm.enable = on;
    return call(m, CCE_COSIM_ACK, nullptr);
}

bool FakeHost::atc_invalidate(uint32_t pasid, uint64_t addr, uint64_t size) {
    cce_cosim_msg m{};
    m.type = CCE_COSIM_ATC_INVAL;
    m.u.inval.pasid = pasid;
    m.u.inval.addr = addr;
    m.u.inval.size = size;
    return call(m, CCE_COSIM_ACK, nullptr);
}

bool FakeHost::serve_until_msix(uint64_t n, int ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (msix_ < n) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) return false;
        const cce_cosim_msg* r = nullptr;
        if (!pump(static_cast<int>(left), &r) && !err_.empty()) return false;
        if (r) return fail("reply without a request");
    }
    return true;
}

}  // namespace cce::cosim
