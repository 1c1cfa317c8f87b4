// SPDX-License-Identifier: MIT
// Internal contracts of libcce:
//   Backend   - runs jobs: the device backend (device.cpp, any transport) and
//               the software backend (backend_soft.cpp).
//   Transport - what differs between the real device (uacce) and the
//               in-process loopback engine: where the ring memory and the
//               doorbell page come from, and how to wait. The ring protocol
//               itself is queue.cpp, shared by both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/libcce.h"

namespace cce::lib {

// A submitted job: the caller's cce_job plus library state.
struct JobRec {
    cce_job* job = nullptr;
    uint64_t id = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char* name() const = 0;
    // Can this backend run the job (opcode present, sizes within limits)?
    virtual bool supports(const cce_job& j) const = 0;
    // Start a job. CCE_OK: it will come back from poll(). Error: not queued.
    virtual int submit(JobRec* r) = 0;
    // Append finished jobs to done (status set). Waits up to timeout_ms
    // (-1 forever, 0 not at all) when nothing is finished. Returns CCE_OK,
    // CCE_E_TIMEOUT/CCE_E_AGAIN when nothing finished, or an error.
    virtual int poll(std::vector<JobRec*>& done, int timeout_ms) = 0;
    virtual size_t in_flight() const = 0;
    virtual void stats(cce_stats& st) const { (void)st; }
    // CCE_OK, or why this backend takes no more jobs (CCE_E_DEV_RESET
    // without reopen, CCE_E_DEV_LOST).
    virtual int dead() const { return CCE_OK; }
};

// Geometry and limits of one hardware queue.
struct QueueInfo {
    cce_desc* sq = nullptr;
    cce_cpl* cq = nullptr;
    uint32_t entries = 0;      // SQ = CQ entries, power of two
    uint64_t opcap = 0;        // CCE_REG_OPCAP
    uint32_t max_job_len = 0;  // CCE_REG_MAX_JOB_LEN
    uint32_t features = 0;
    uint32_t hw_version = 0;
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual const char* name() const = 0;
    virtual const QueueInfo& info() const = 0;
    // One 32-bit store to the queue's doorbell page (CCE_DB_SQ_TAIL / CCE_DB_CQ_HEAD).
    virtual void doorbell(uint32_t offset, uint32_t value) = 0;
    // Block until the device may have written completions or halted, up to
    // timeout_ms (-1 forever). CCE_OK or CCE_E_TIMEOUT or CCE_E_IO.
    virtual int wait(int timeout_ms) = 0;
    // State of the queue: CCE_OK, CCE_E_QUEUE_HALTED (queue error, the
    // queue keeps its slot: restart()), CCE_E_DEV_RESET (the hardware was
    // reset under the queue: jobs on it are lost; restart() once recovery
    // is over), CCE_E_DEV_LOST (device gone: never restartable).
    virtual int check() = 0;
    // Restart the queue after a halt or reset (indices back to 0, phase 1,
    // CQ zeroed). CCE_OK or an error (CCE_E_DEV_LOST, CCE_E_IO, ...).
    virtual int restart() = 0;
    virtual void stats(cce_stats& st) const { (void)st; }
};

// Backends.
std::unique_ptr<Backend> make_soft_backend();
// reopen: restart the queue after a device reset (CCE_OPEN_REOPEN).
std::unique_ptr<Backend> make_device_backend(std::unique_ptr<Transport> t, size_t chunk_size, bool reopen);

// Transports: open /dev/cce-N (uacce). Error code on failure.
int open_uacce_transport(const std::string& path, std::unique_ptr<Transport>& out);

// Loopback hook: set by libcce_loopback's cce_loopback_register().
using LoopbackFactory = int (*)(std::unique_ptr<Transport>& out);
void set_loopback_factory(LoopbackFactory f);

// Software implementations shared with the device backend for checks.
uint32_t crc32c_sw(uint32_t crc, const void* p, size_t n);

}  // namespace cce::lib
