// SPDX-License-Identifier: MIT
// The cosim link against a real cce-model process, with FakeHost playing
// QEMU's part. No QEMU, no VM.
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <sys/wait.h>

#include "cce/cce_cosim.h"
#include "cce/cce_hw.h"
#include "cce/cosim/fake_host.h"
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
