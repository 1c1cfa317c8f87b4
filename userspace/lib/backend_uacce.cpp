// SPDX-License-Identifier: MIT
// Transport for a real CCE queue: /dev/cce-N of cce.ko through uacce
// (kernel/driver/README.md). One open file = one hardware queue; the
// doorbell page and the ring region (DUS) are mmap'd; the device reaches the
// ring and every buffer through the process's PASID. Waiting is poll() on
// the queue file (woken by the completion interrupt of CCE_DF_IRQ
// descriptors, a halted queue, or a queue state change: reset, lost).
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backend.h"
#include "uacce_abi.h"

#include "cce/cce_uacce.h"
#define CCE_HAVE_UAPI 1

namespace cce::lib {

#ifdef CCE_HAVE_UAPI

namespace {

class UacceTransport final : public Transport {
public:
    ~UacceTransport() override { close_all(); }

    int open(const std::string& path) {
        name_ = "uacce:" + path;
        fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        // EIO: the device is isolated (too many errors), like a missing one.
        if (fd_ < 0)
            return errno == EBUSY                                      ? CCE_E_BUSY
                   : errno == ENOENT || errno == ENODEV || errno == EIO ? CCE_E_NODEV
                                                                       : CCE_E_IO;
        cce_queue_info qi{};
        if (ioctl(fd_, CCE_IOCTL_QUEUE_INFO, &qi) != 0) return CCE_E_IO;
        if (CCE_VERSION_GET_MAJOR(qi.hw_version) != CCE_VERSION_MAJOR) return CCE_E_NOTSUP;
        if (!qi.sq_entries || qi.sq_entries != qi.cq_entries || (qi.sq_entries & (qi.sq_entries - 1)) ||
            uint64_t(qi.cq_offset) + uint64_t(qi.cq_entries) * CCE_CPL_SIZE > qi.dus_size ||
            uint64_t(qi.sq_offset) + uint64_t(qi.sq_entries) * CCE_DESC_SIZE > qi.dus_size ||
            qi.mmio_size < CCE_DB_PAGE_SIZE)
            return CCE_E_NOTSUP;
        mmio_size_ = qi.mmio_size;
        dus_size_ = qi.dus_size;
        void* db = mmap(nullptr, mmio_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                        uacce::kQfrtMmio * sysconf(_SC_PAGESIZE));
        if (db == MAP_FAILED) return CCE_E_IO;
        db_ = static_cast<volatile uint32_t*>(db);
        void* ring = mmap(nullptr, dus_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                          uacce::kQfrtDus * sysconf(_SC_PAGESIZE));
        if (ring == MAP_FAILED) return CCE_E_IO;
        ring_ = static_cast<uint8_t*>(ring);
        if (ioctl(fd_, uacce::kCmdStartQ) != 0) return errno == EBUSY ? CCE_E_BUSY : CCE_E_IO;
        started_ = true;
        info_.sq = reinterpret_cast<cce_desc*>(ring_ + qi.sq_offset);
        info_.cq = reinterpret_cast<cce_cpl*>(ring_ + qi.cq_offset);
        info_.entries = qi.sq_entries;
        info_.opcap = qi.opcap;
        info_.max_job_len = qi.max_job_len;
        info_.features = qi.features;
        info_.hw_version = qi.hw_version;
        return CCE_OK;
    }

    const char* name() const override { return name_.c_str(); }
    const QueueInfo& info() const override { return info_; }

    void doorbell(uint32_t offset, uint32_t value) override { db_[offset / 4] = value; }

    int wait(int timeout_ms) override {
        // Sleep in slices: a queue whose device was unbound is never woken
        // (uacce's poll() then reports nothing), so the caller re-checks the
        // queue state at least this often.
        constexpr int kSliceMs = 500;
        const bool sliced = timeout_ms < 0 || timeout_ms > kSliceMs;
        pollfd p{fd_, POLLIN, 0};
        for (;;) {
            const int r = ::poll(&p, 1, sliced ? kSliceMs : timeout_ms);
            if (r > 0) return (p.revents & (POLLERR | POLLNVAL)) ? CCE_E_IO : CCE_OK;
            if (r == 0) return sliced ? CCE_OK : CCE_E_TIMEOUT;
            if (errno != EINTR) return CCE_E_IO;
        }
    }

    int check() override {
        cce_queue_info qi{};
        if (ioctl(fd_, CCE_IOCTL_QUEUE_INFO, &qi) != 0)
            return errno == ENXIO || errno == ENODEV ? CCE_E_DEV_LOST : CCE_E_QUEUE_HALTED;
        if (qi.q_state == CCE_QUEUE_STATE_LOST) return CCE_E_DEV_LOST;
        if (qi.q_state == CCE_QUEUE_STATE_RESET) return CCE_E_DEV_RESET;
        return (qi.q_status & CCE_QSTS_ERROR) ? CCE_E_QUEUE_HALTED : CCE_OK;
    }

    int restart() override {
        if (ioctl(fd_, uacce::kCmdPutQ) != 0) return errno == ENXIO ? CCE_E_DEV_LOST : CCE_E_IO;
        started_ = false;
        // EAGAIN: the driver is still resetting the function; wait for it
        // (bounded: the driver's own reset timeout is 5 s).
        for (int i = 0; i < 100; ++i) {
            if (ioctl(fd_, uacce::kCmdStartQ) == 0) {
                started_ = true;
                return CCE_OK;
            }
            if (errno != EAGAIN) break;
            usleep(100 * 1000);
        }
        return errno == ENODEV || errno == ENXIO ? CCE_E_DEV_LOST : CCE_E_IO;
    }

private:
    void close_all() {
        if (started_) ioctl(fd_, uacce::kCmdPutQ);  // outstanding jobs complete ABORTED
        if (ring_) munmap(ring_, dus_size_);
        if (db_) munmap(const_cast<uint32_t*>(db_), mmio_size_);
        if (fd_ >= 0) ::close(fd_);
    }

    std::string name_;
    int fd_ = -1;
    bool started_ = false;
    volatile uint32_t* db_ = nullptr;
    uint8_t* ring_ = nullptr;
    size_t mmio_size_ = 0, dus_size_ = 0;
    QueueInfo info_;
};

}  // namespace

int open_uacce_transport(const std::string& path, std::unique_ptr<Transport>& out) {
    auto t = std::make_unique<UacceTransport>();
    const int err = t->open(path);
    if (err) return err;
    out = std::move(t);
    return CCE_OK;
}

#else

int open_uacce_transport(const std::string&, std::unique_ptr<Transport>&) {
    return CCE_E_NOTSUP;  // built without include/cce/cce_uacce.h
}

#endif

}  // namespace cce::lib
