// SPDX-License-Identifier: MIT
// Minimal client of QEMU's qtest protocol (-qtest unix:PATH, -accel qtest):
// port I/O, memory reads/writes, PCI config space (CF8/CFC and ECAM).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proc.h"

namespace cce::cosim::test {

class QTest {
public:
    ~QTest();
    // Spawn qemu with args (a -qtest option is added) and accept its
    // qtest connection. Output of QEMU goes to log_path.
    bool start(const std::string& qemu, const std::vector<std::string>& args,
               const std::string& dir, const std::string& log_path, int timeout_ms = 60000);
    // One command, one "OK ..." answer. ok=false on FAIL/ERR/closed.
    std::string cmd(const std::string& c, bool* ok = nullptr);
    bool alive();

    void outl(uint16_t port, uint32_t v);
    uint32_t inl(uint16_t port);
    void writel(uint64_t a, uint32_t v);
    void writeq(uint64_t a, uint64_t v);
    uint32_t readl(uint64_t a);
    uint64_t readq(uint64_t a);
    void write(uint64_t a, const void* p, size_t n);
    std::vector<uint8_t> read(uint64_t a, size_t n);

    // Config space of bus 0 device dev function 0.
    uint32_t cfg_read32(unsigned dev, unsigned off);
    void cfg_write32(unsigned dev, unsigned off, uint32_t v);
    uint16_t cfg_read16(unsigned dev, unsigned off);
    void cfg_write16(unsigned dev, unsigned off, uint16_t v);
    // Extended config space through ECAM (enable_ecam first on q35).
    void enable_ecam(uint64_t base);
    uint32_t ecam_read32(unsigned dev, unsigned off);

    Proc& proc() { return qemu_; }

private:
    Proc qemu_;
    int fd_ = -1;
    std::string rbuf_;
    uint64_t ecam_ = 0;
};

}  // namespace cce::cosim::test
