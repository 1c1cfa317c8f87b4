// SPDX-License-Identifier: MIT
#include "qtest_client.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace cce::cosim::test {

QTest::~QTest() {
    if (fd_ >= 0) close(fd_);
    if (qemu_.pid() > 0) {
        qemu_.kill_hard();
    }
}

bool QTest::start(const std::string& qemu, const std::vector<std::string>& args,
                  const std::string& dir, const std::string& log_path, int timeout_ms) {
    std::string path = dir + "/qtest.sock";
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) return false;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
    unlink(path.c_str());
    if (bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(lfd, 1) < 0) {
        close(lfd);
        return false;
    }
    std::vector<std::string> argv = {qemu};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("-qtest");
    argv.push_back("unix:" + path);
    if (!qemu_.start(argv, log_path)) {
        close(lfd);
        return false;
    }
    pollfd p{lfd, POLLIN, 0};
    int waited = 0;
    while (waited < timeout_ms) {
        int r = poll(&p, 1, 100);
        if (r > 0) break;
        waited += 100;
        if (!qemu_.running()) break;
    }
    if (!(p.revents & POLLIN)) {
        close(lfd);
        return false;
    }
    fd_ = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    close(lfd);
    return fd_ >= 0;
}

bool QTest::alive() { return fd_ >= 0 && qemu_.running(); }

std::string QTest::cmd(const std::string& c, bool* ok) {
    if (ok) *ok = false;
    if (fd_ < 0) return "";
    std::string line = c + "\n";
    if (::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
        close(fd_);
        fd_ = -1;
        return "";
    }
    for (;;) {
        size_t nl = rbuf_.find('\n');
        if (nl != std::string::npos) {
            std::string ans = rbuf_.substr(0, nl);
            rbuf_.erase(0, nl + 1);
            if (ans.rfind("IRQ", 0) == 0) continue;  // asynchronous, not ours
            if (ok) *ok = ans.rfind("OK", 0) == 0;
            return ans;
        }
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 60000) <= 0) {
            close(fd_);
            fd_ = -1;
            return "";
        }
        char buf[4096];
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            close(fd_);
            fd_ = -1;
            return "";
        }
        rbuf_.append(buf, static_cast<size_t>(n));
    }
}

namespace {
uint64_t parse_val(const std::string& ans) {
    if (ans.size() < 3) return ~0ull;
    return std::strtoull(ans.c_str() + 3, nullptr, 0);
}
std::string hex(uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
}  // namespace

void QTest::outl(uint16_t port, uint32_t v) { cmd("outl " + hex(port) + " " + hex(v)); }
uint32_t QTest::inl(uint16_t port) { return static_cast<uint32_t>(parse_val(cmd("inl " + hex(port)))); }
void QTest::writel(uint64_t a, uint32_t v) { cmd("writel " + hex(a) + " " + hex(v)); }
void QTest::writeq(uint64_t a, uint64_t v) { cmd("writeq " + hex(a) + " " + hex(v)); }
uint32_t QTest::readl(uint64_t a) { return static_cast<uint32_t>(parse_val(cmd("readl " + hex(a)))); }
uint64_t QTest::readq(uint64_t a) { return parse_val(cmd("readq " + hex(a))); }

void QTest::write(uint64_t a, const void* p, size_t n) {
    static const char* d = "0123456789abcdef";
    std::string s = "write " + hex(a) + " " + hex(n) + " 0x";
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) {
        s += d[b[i] >> 4];
        s += d[b[i] & 15];
    }
    cmd(s);
}

std::vector<uint8_t> QTest::read(uint64_t a, size_t n) {
    std::string ans = cmd("read " + hex(a) + " " + hex(n));
    std::vector<uint8_t> out;
    if (ans.rfind("OK 0x", 0) != 0) return out;
    for (size_t i = 5; i + 1 < ans.size() && out.size() < n; i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(ans.substr(i, 2), nullptr, 16)));
    return out;
}

uint32_t QTest::cfg_read32(unsigned dev, unsigned off) {
    outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
    return inl(0xcfc);
}
void QTest::cfg_write32(unsigned dev, unsigned off, uint32_t v) {
    outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
    outl(0xcfc, v);
}
uint16_t QTest::cfg_read16(unsigned dev, unsigned off) {
    return static_cast<uint16_t>(cfg_read32(dev, off & ~3u) >> (8 * (off & 2)));
}
void QTest::cfg_write16(unsigned dev, unsigned off, uint16_t v) {
    uint32_t w = cfg_read32(dev, off & ~3u);
    unsigned sh = 8 * (off & 2);
    w = (w & ~(0xffffu << sh)) | (static_cast<uint32_t>(v) << sh);
    cfg_write32(dev, off & ~3u, w);
}

void QTest::enable_ecam(uint64_t base) {
    // q35 MCH (0:0.0) PCIEXBAR at 0x60: base | length 256 MiB | enable.
    cfg_write32(0, 0x64, static_cast<uint32_t>(base >> 32));
    cfg_write32(0, 0x60, static_cast<uint32_t>(base) | 1u);
    ecam_ = base;
}

uint32_t QTest::ecam_read32(unsigned dev, unsigned off) {
    return readl(ecam_ + (static_cast<uint64_t>(dev) << 15) + off);
}

}  // namespace cce::cosim::test
