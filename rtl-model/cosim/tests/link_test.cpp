// SPDX-License-Identifier: MIT
// The cosim link against a real cce-model process, with FakeHost playing
// QEMU's part. No QEMU, no VM.
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>

#include "cce/cce_cosim.h"
#include "cce/cce_hw.h"
#include "cce/cosim/fake_host.h"
#include "cce/cosim/sock.h"
#include "proc.h"

using cce::cosim::FakeHost;
using cce::cosim::FakeHostOptions;
using cce::cosim::test::Proc;

namespace {

struct ModelProc {
    std::string dir, sock;
    Proc proc;
    explicit ModelProc(unsigned queues, std::vector<std::string> extra = {}) {
        dir = cce::cosim::test::make_temp_dir("link");
        sock = dir + "/model.sock";
        std::vector<std::string> argv = {CCE_MODEL_PATH, "--socket", sock, "--queues",
                                         std::to_string(queues), "--timeout-ms", "10000",
                                         "--accept-timeout-ms", "20000"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc.start(argv, dir + "/model.log");
    }
    ~ModelProc() {
        proc.kill_hard();
        if (!::testing::Test::HasFailure()) {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    }
};

// Program queue q (SQ at sq_off, CQ at cq_off in fake RAM) and enable it.
void setup_queue(FakeHost& h, unsigned q, uint64_t sq_off, uint64_t cq_off, uint32_t entries) {
    std::memset(h.ram() + cq_off, 0, entries * CCE_CPL_SIZE);
    ASSERT_TRUE(h.mmio_write(0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_SQ_BASE), h.gpa(sq_off), 8));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_CQ_BASE), h.gpa(cq_off), 8));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_SQ_SIZE), entries, 4));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_CQ_SIZE), entries, 4));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_PASID), 0, 4));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_IRQ), CCE_QIRQ_MAKE(1, 0), 4));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_MSIX_VEC), q, 4));
    ASSERT_TRUE(h.mmio_write(0, CCE_QREG(q, CCE_Q_CTRL), CCE_QCTRL_ENABLE, 4));
    EXPECT_TRUE(h.rd32(CCE_QREG(q, CCE_Q_STATUS)) & CCE_QSTS_ENABLED);
}

void memcpy_job(bool share_ram) {
    ModelProc m(4);
    FakeHostOptions o;
    o.num_queues = 4;
    o.share_ram = share_ram;
    FakeHost h(o);
    ASSERT_TRUE(h.connect(m.sock)) << h.error() << m.proc.log();
    ASSERT_TRUE(h.bus_master(true)) << h.error();
    const uint64_t sq = 0x1000, cq = 0x3000, src = 0x10000, dst = 0x20000;
    const uint32_t len = 8192;
    for (uint32_t i = 0; i < len; ++i) h.ram()[src + i] = static_cast<uint8_t>(i * 7 + 3);
    setup_queue(h, 0, sq, cq, 16);
    cce_desc d{};
    d.opcode = CCE_OP_MEMCPY;
    d.flags = CCE_DF_IRQ;
    d.src = h.gpa(src);
    d.dst = h.gpa(dst);
    d.src_len = len;
    d.dst_len = len;
    d.cookie = 0xc0ffee;
    std::memcpy(h.ram() + sq, &d, sizeof d);
    ASSERT_TRUE(h.mmio_write(2, 0 * CCE_DB_PAGE_SIZE + CCE_DB_SQ_TAIL, 1, 4));
    ASSERT_TRUE(h.serve_until_msix(1, 10000)) << h.error() << m.proc.log();
    EXPECT_EQ(h.msix_vectors().at(0), 0);
    cce_cpl c;
    std::memcpy(&c, h.ram() + cq, sizeof c);
    EXPECT_EQ(c.flags & CCE_CPL_PHASE, 1);
    EXPECT_EQ(c.status, CCE_ST_SUCCESS);
    EXPECT_EQ(c.cookie, 0xc0ffeeu);
    EXPECT_EQ(c.bytes_produced, len);
    EXPECT_EQ(0, std::memcmp(h.ram() + src, h.ram() + dst, len));
    if (share_ram)
        EXPECT_EQ(h.dma_requests(), 0u) << "shared RAM: no DMA message expected";
    else
        EXPECT_GT(h.dma_requests(), 0u);
}

}  // namespace

TEST(CosimLink, HandshakeAndIdRegisters) {
    ModelProc m(4);
    FakeHostOptions o;
    o.num_queues = 4;
    FakeHost h(o);
    ASSERT_TRUE(h.connect(m.sock)) << h.error() << m.proc.log();
    EXPECT_EQ(h.rd32(CCE_REG_ID), CCE_ID_MAGIC);
    EXPECT_EQ(h.rd32(CCE_REG_VERSION), CCE_VERSION);
    EXPECT_EQ(CCE_CAP0_NUM_QUEUES(h.rd32(CCE_REG_CAP0)), 4u);
    uint64_t v = 0;
    ASSERT_TRUE(h.mmio_read(0, CCE_REG_OPCAP, 8, &v));
    EXPECT_TRUE(v & (1ull << CCE_OP_MEMCPY));
    EXPECT_TRUE(h.reset()) << h.error();
    EXPECT_TRUE(h.bus_master(true)) << h.error();
    EXPECT_TRUE(h.atc_invalidate(1, 0x1000, 0x1000)) << h.error();
    EXPECT_EQ(h.rd32(CCE_REG_ID), CCE_ID_MAGIC);
}

TEST(CosimLink, QueueCountMismatchIsRefused) {
    ModelProc m(4);
    FakeHostOptions o;
    o.num_queues = 2;
    FakeHost h(o);
    EXPECT_FALSE(h.connect(m.sock));
}

TEST(CosimLink, MemcpyJobSharedRam) { memcpy_job(true); }
TEST(CosimLink, MemcpyJobThroughMessages) { memcpy_job(false); }

TEST(CosimLink, GarbageFromHostIsRejected) {
    ModelProc m(2);
    FakeHostOptions o;
    o.num_queues = 2;
    FakeHost h(o);
    ASSERT_TRUE(h.connect(m.sock)) << h.error();
    const char junk[13] = "not-a-packet";
    ASSERT_TRUE(h.send_raw(junk, sizeof junk));
    int st = 0;
    ASSERT_TRUE(m.proc.wait(10000, &st)) << "model did not exit";
    EXPECT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 1);
    EXPECT_NE(m.proc.log().find("bad message size"), std::string::npos) << m.proc.log();
}

TEST(CosimLink, OutOfRangeMmioIsRejected) {
    ModelProc m(2);
    FakeHostOptions o;
    o.num_queues = 2;
    FakeHost h(o);
    ASSERT_TRUE(h.connect(m.sock)) << h.error();
    // BAR2 has 2 doorbell pages: offset 0x2000 is outside.
    ASSERT_TRUE(h.mmio_write(2, 0x2000, 1, 4));
    int st = 0;
    ASSERT_TRUE(m.proc.wait(10000, &st));
    EXPECT_EQ(WEXITSTATUS(st), 1);
    EXPECT_NE(m.proc.log().find("field out of range"), std::string::npos) << m.proc.log();
}

TEST(CosimLink, CleanDisconnectExitsZero) {
    ModelProc m(2);
    {
        FakeHostOptions o;
        o.num_queues = 2;
        FakeHost h(o);
        ASSERT_TRUE(h.connect(m.sock)) << h.error();
        EXPECT_EQ(h.rd32(CCE_REG_ID), CCE_ID_MAGIC);
    }
    int st = 0;
    ASSERT_TRUE(m.proc.wait(10000, &st));
    EXPECT_EQ(WEXITSTATUS(st), 0) << m.proc.log();
}

// ---- the protocol's validation functions ----

TEST(CosimProto, Validation) {
    cce_cosim_msg m{};
    m.type = CCE_COSIM_MMIO_READ;
    m.seq = 1;
    m.u.mmio.bar = 0;
    m.u.mmio.size = 4;
    m.u.mmio.offset = CCE_REG_ID;
    EXPECT_EQ(cce_cosim_check_to_model(&m, sizeof m, 4), CCE_COSIM_OK);
    EXPECT_EQ(cce_cosim_check_to_model(&m, sizeof m - 1, 4), CCE_COSIM_E_SIZE);
    EXPECT_EQ(cce_cosim_check_to_host(&m, sizeof m, 5, 4096), CCE_COSIM_E_TYPE);
    m.u.mmio.offset = 2;
    EXPECT_EQ(cce_cosim_check_to_model(&m, sizeof m, 4), CCE_COSIM_E_ALIGN);
    m.u.mmio.offset = 0x10000;
    EXPECT_EQ(cce_cosim_check_to_model(&m, sizeof m, 4), CCE_COSIM_E_RANGE);
    m.u.mmio.offset = 0;
    m.seq = 0;
    EXPECT_EQ(cce_cosim_check_to_model(&m, sizeof m, 4), CCE_COSIM_E_SEQ);
    m.seq = 1;
    m.u.raw[40] = 1;
    EXPECT_EQ(cce_cosim_check_to_model(&m, sizeof m, 4), CCE_COSIM_E_RSVD);

    cce_cosim_msg x{};
    x.type = CCE_COSIM_MSIX;
    x.u.msix.vector = 4;
    EXPECT_EQ(cce_cosim_check_to_host(&x, sizeof x, 5, 4096), CCE_COSIM_OK);
    x.u.msix.vector = 5;
    EXPECT_EQ(cce_cosim_check_to_host(&x, sizeof x, 5, 4096), CCE_COSIM_E_RANGE);

    cce_cosim_msg d{};
    d.type = CCE_COSIM_DMA_READ;
    d.seq = 7;
    d.u.dma.addr = ~0ull - 10;
    d.u.dma.len = 100;
    EXPECT_EQ(cce_cosim_check_to_host(&d, sizeof d, 5, 4096), CCE_COSIM_E_RANGE);
    d.u.dma.addr = 0x1000;
    EXPECT_EQ(cce_cosim_check_to_host(&d, sizeof d, 5, 4096), CCE_COSIM_OK);
    d.u.dma.len = 8192;
    EXPECT_EQ(cce_cosim_check_to_host(&d, sizeof d, 5, 4096), CCE_COSIM_E_RANGE);

    cce_cosim_msg h{};
    h.type = CCE_COSIM_HELLO;
    h.seq = 1;
    h.u.hello.magic = CCE_COSIM_MAGIC;
    h.u.hello.ver_major = CCE_COSIM_VERSION_MAJOR;
    h.u.hello.num_queues = 4;
    EXPECT_EQ(cce_cosim_check_to_model(&h, sizeof h, 4), CCE_COSIM_OK);
    h.u.hello.ver_major = CCE_COSIM_VERSION_MAJOR + 1;
    EXPECT_EQ(cce_cosim_check_to_model(&h, sizeof h, 4), CCE_COSIM_E_VERSION);
}

// ---------------------------------------------------------------------------
// Fault injection through cce-model: --fault, --control, --stats, AER.

namespace {

// A developer-shell client of the control socket: one line out, the answer
// back (up to and including the line starting "ok" or "error").
class ControlClient {
public:
    bool connect(const std::string& path) {
        fd_ = cce::cosim::connect_unix(path, 4000, SOCK_STREAM);
        return fd_ >= 0;
    }
    ~ControlClient() {
        if (fd_ >= 0) close(fd_);
    }
    std::string ask(const std::string& line) {
        const std::string out = line + "\n";
        if (send(fd_, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
            return "send failed";
        std::string in;
        for (int i = 0; i < 500; ++i) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) == 1) {
                char buf[4096];
                ssize_t n = recv(fd_, buf, sizeof buf, 0);
                if (n <= 0) return in + "<closed>";
                in.append(buf, static_cast<size_t>(n));
            }
            const size_t last = in.rfind('\n', in.size() >= 2 ? in.size() - 2 : 0);
            const std::string tail = in.substr(last == std::string::npos ? 0 : last + 1);
            if (!in.empty() && in.back() == '\n' &&
                (tail.rfind("ok", 0) == 0 || tail.rfind("error", 0) == 0))
                return in;
        }
        return in + "<timeout>";
    }

    // What `printf 'a\nb\n' | socat - UNIX-CONNECT:PATH` does: send every
    // line, half-close, read answers until the server closes.
    std::string batch(const std::string& lines) {
        if (send(fd_, lines.data(), lines.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(lines.size()))
            return "send failed";
        shutdown(fd_, SHUT_WR);
        std::string in;
        for (int i = 0; i < 500; ++i) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) != 1) continue;
            char buf[4096];
            ssize_t n = recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return in;
            in.append(buf, static_cast<size_t>(n));
        }
        return in + "<timeout>";
    }

private:
    int fd_ = -1;
};

uint8_t run_nop(FakeHost& h, uint64_t sq, uint64_t cq, unsigned idx, uint64_t cookie) {
    cce_desc d{};
    d.opcode = CCE_OP_NOP;
    d.flags = CCE_DF_IRQ;
    d.cookie = cookie;
    std::memcpy(h.ram() + sq + idx * CCE_DESC_SIZE, &d, sizeof d);
    const uint64_t before = h.msix_count();
    if (!h.mmio_write(2, CCE_DB_SQ_TAIL, idx + 1, 4)) return 0xff;
    if (!h.serve_until_msix(before + 1, 10000)) return 0xfe;
    cce_cpl c;
    std::memcpy(&c, h.ram() + cq + idx * CCE_CPL_SIZE, sizeof c);
    return c.cookie == cookie ? c.status : 0xfd;
}

std::string slurp(const std::string& path) {
    std::string s;
    if (FILE* f = std::fopen(path.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
        std::fclose(f);
    }
    return s;
}

}  // namespace

TEST(CosimFaults, FaultFlagControlSocketStatsAndAer) {
    const std::string dir = cce::cosim::test::make_temp_dir("ctl");
    const std::string ctl = dir + "/control.sock", stats = dir + "/stats.txt";
    ModelProc m(4, {"--fault", "class=ce queue=0", "--fault-seed", "42", "--control", ctl,
                    "--stats", stats});
    FakeHostOptions o;
    o.num_queues = 4;
    auto hp = std::make_unique<FakeHost>(o);
    FakeHost& h = *hp;
    ASSERT_TRUE(h.connect(m.sock)) << h.error() << m.proc.log();
    ASSERT_TRUE(h.bus_master(true)) << h.error();
    const uint64_t sq = 0x1000, cq = 0x3000;
    setup_queue(h, 0, sq, cq, 16);
    EXPECT_EQ(run_nop(h, sq, cq, 0, 100), CCE_ST_SUCCESS) << h.error() << m.proc.log();
    ASSERT_EQ(h.aer_messages().size(), 1u) << m.proc.log();
    EXPECT_EQ(h.aer_messages()[0].severity, unsigned(CCE_COSIM_AER_CORRECTABLE));
    uint64_t info = 0;
    ASSERT_TRUE(h.mmio_read(0, CCE_REG_RAS_ERR_INFO, 8, &info));
    EXPECT_EQ(h.aer_messages()[0].info, info);
    EXPECT_EQ(info, (1ull << 63) | CCE_OP_NOP) << "queue 0, nop";
    EXPECT_EQ(h.rd32(CCE_REG_RAS_CE_COUNT), 1u);

    ControlClient c;
    ASSERT_TRUE(c.connect(ctl)) << m.proc.log();
    EXPECT_EQ(c.ask("fault class=cpl_error status=dma-error queue=0"),
              "ok fault 2 class=cpl_error queue=0 status=dma_error\n");
    EXPECT_EQ(c.ask("fault class=ce queue=9"), "error queue=9 but the engine has 4 queues\n");
    EXPECT_EQ(c.ask("fault class=ce frequency=3"), "error unknown key 'frequency'\n");
    EXPECT_EQ(c.ask("reboot"),
              "error unknown command 'reboot' (fault SPEC, clear, list, log, stats)\n");
    EXPECT_EQ(c.ask("list"),
              "fault 1 class=ce queue=0 matched=1 injected=1\n"
              "fault 2 class=cpl_error queue=0 status=dma_error matched=0 injected=0\nok 2\n");
    EXPECT_EQ(run_nop(h, sq, cq, 1, 101), CCE_ST_DMA_ERROR) << h.error() << m.proc.log();
    EXPECT_EQ(run_nop(h, sq, cq, 2, 102), CCE_ST_SUCCESS) << h.error();
    const std::string log = c.ask("log");
    EXPECT_NE(log.find("fault=1 class=ce queue=0 opcode=nop"), std::string::npos) << log;
    EXPECT_NE(log.find("fault=2 class=cpl_error queue=0 opcode=nop detail=0x8"), std::string::npos)
        << log;
    EXPECT_NE(log.find("ok 2\n"), std::string::npos) << log;
    const std::string st = c.ask("stats");
    EXPECT_EQ(st.rfind("jobs=3\n", 0), 0u) << st;
    EXPECT_NE(st.find("\nfaults_injected=2\n"), std::string::npos) << st;
    EXPECT_NE(st.find("\nfault_ce=1\n"), std::string::npos) << st;
    EXPECT_NE(st.find("\nfault_cpl_error=1\n"), std::string::npos) << st;
    ControlClient c2;
    ASSERT_TRUE(c2.connect(ctl));
    EXPECT_EQ(c2.batch("fault class=msix_dup\nlist\n\nclear\n"),
              "ok fault 3 class=msix_dup\n"
              "fault 1 class=ce queue=0 matched=1 injected=1\n"
              "fault 2 class=cpl_error queue=0 status=dma_error matched=1 injected=1\n"
              "fault 3 class=msix_dup matched=0 injected=0\nok 3\n"
              "error empty command\nok cleared 3\n");
    EXPECT_EQ(c.ask("fault class=ce queue=0 count=0"), "ok fault 4 class=ce queue=0 count=0\n");
    EXPECT_EQ(c.ask("clear"), "ok cleared 1\n");
    EXPECT_EQ(c.ask("list"), "ok 0\n");

    // cce-model --send: the developer-shell client (./testbed fault).
    auto send = [&](const std::string& line, int* rc, const std::string& path = "") {
        Proc p;
        const std::string out = dir + "/send.log";
        p.start({CCE_MODEL_PATH, "--send", path.empty() ? ctl : path, line}, out);
        int st = 0;
        *rc = p.wait(10000, &st) && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return p.log();
    };
    int rc = -1;
    EXPECT_EQ(send("fault class=ce queue=1", &rc), "ok fault 5 class=ce queue=1\n");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(send("fault class=nonsense", &rc).rfind("error ", 0), 0u);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(c.ask("clear"), "ok cleared 1\n");
    EXPECT_NE(send("stats", &rc).find("\nfault_ce=1\n"), std::string::npos);
    EXPECT_EQ(rc, 0);
    EXPECT_NE(send("list", &rc, dir + "/nothing.sock").find("cannot connect"), std::string::npos);
    EXPECT_EQ(rc, 2);

    hp.reset();  // QEMU goes away
    int status = 0;
    ASSERT_TRUE(m.proc.wait(10000, &status)) << m.proc.log();
    EXPECT_EQ(WEXITSTATUS(status), 0) << m.proc.log();
    const std::string kv = slurp(stats);
    EXPECT_NE(kv.find("fault_ce=1\n"), std::string::npos) << kv;
    EXPECT_NE(kv.find("fault_cpl_error=1\n"), std::string::npos) << kv;
    EXPECT_NE(kv.find("fault_bitflip=0\n"), std::string::npos) << kv;
    EXPECT_NE(kv.find("status_dma_error=1\n"), std::string::npos) << kv;
    EXPECT_NE(m.proc.log().find("aer 1 (0 not sent"), std::string::npos) << m.proc.log();
    std::error_code ec;
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir, ec);
}

TEST(CosimFaults, BadFaultSpecIsAUsageError) {
    ModelProc m(4, {"--fault", "class=bitflip colour=red"});
    int status = 0;
    ASSERT_TRUE(m.proc.wait(10000, &status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_NE(m.proc.log().find("unknown key 'colour'"), std::string::npos) << m.proc.log();
}

TEST(CosimFaults, CrashFaultKillsTheModelAtTheTrigger) {
    ModelProc m(4, {"--fault", "class=crash after=1"});
    FakeHostOptions o;
    o.num_queues = 4;
    FakeHost h(o);
    ASSERT_TRUE(h.connect(m.sock)) << h.error() << m.proc.log();
    ASSERT_TRUE(h.bus_master(true)) << h.error();
    const uint64_t sq = 0x1000, cq = 0x3000;
    setup_queue(h, 0, sq, cq, 16);
    EXPECT_EQ(run_nop(h, sq, cq, 0, 1), CCE_ST_SUCCESS) << h.error();
    EXPECT_NE(run_nop(h, sq, cq, 1, 2), CCE_ST_SUCCESS);
    int status = 0;
    ASSERT_TRUE(m.proc.wait(10000, &status)) << m.proc.log();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) << m.proc.log();
    EXPECT_NE(m.proc.log().find("injected crash: "), std::string::npos) << m.proc.log();
}
