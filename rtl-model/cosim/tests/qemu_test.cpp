// SPDX-License-Identifier: MIT
// cce-pci in a real QEMU (qtest accelerator, no guest kernel) driven through
// the qtest protocol, with cce-model (or a fake model) on the other side.
//
// QEMU: $CCE_QEMU, else the CMake cache variable CCE_QEMU_BINARY. If
// neither names an executable, every test FAILS (it does not skip).
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <csignal>
#include <thread>
#include <unistd.h>

#include "cce/cce_cosim.h"
#include "cce/cce_hw.h"
#include "cce/cosim/sock.h"
#include "proc.h"
#include "qtest_client.h"

using namespace cce::cosim::test;

namespace {

constexpr unsigned kDev = 3;  // pcie.0 slot of cce-pci
constexpr unsigned kQueues = 4;
constexpr uint64_t kBar0 = 0xe0000000ull;
constexpr uint64_t kBar2 = 0xe0010000ull;
constexpr uint64_t kEcam = 0xb0000000ull;
constexpr uint64_t kSq = 0x1000000, kCq = 0x1010000, kSrc = 0x1100000, kDst = 0x1200000;
constexpr uint64_t kMsi = 0x1300000;  // MSI-X messages land in RAM here
constexpr uint32_t kMsiData = 0xcafe0000u;

std::string qemu_path() {
    const char* e = std::getenv("CCE_QEMU");
    if (e && *e) return e;
    return CCE_QEMU_DEFAULT;
}

std::vector<std::string> qemu_args(const std::string& model_sock,
                                   const std::string& extra = ",timeout-ms=5000") {
    return {"-machine", "q35,memory-backend=mem0", "-accel", "qtest", "-nodefaults",
            "-display", "none", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-m", "256M",
            "-object", "memory-backend-memfd,id=mem0,size=256M,share=on",
            "-device",
            "cce-pci,id=cce0,bus=pcie.0,addr=03.0,num-queues=" + std::to_string(kQueues) +
                ",socket=" + model_sock + extra};
}

class QemuTest : public ::testing::Test {
protected:
    void SetUp() override {
        qemu_ = qemu_path();
        ASSERT_TRUE(is_executable(qemu_))
            << "QEMU with cce-pci not found: set CCE_QEMU or -DCCE_QEMU_BINARY= to the output "
               "of qemu-device/build-qemu.sh --print-path (got '"
            << qemu_ << "')";
        dir_ = make_temp_dir("qemu");
        ASSERT_FALSE(dir_.empty());
        sock_ = dir_ + "/model.sock";
    }
    void TearDown() override {
        qt_.proc().kill_hard();
        model_.kill_hard();
        if (!dir_.empty() && !HasFailure()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }
    void start_model(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> argv = {CCE_MODEL_PATH, "--socket", sock_, "--queues",
                                         std::to_string(kQueues), "--accept-timeout-ms", "60000"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ASSERT_TRUE(model_.start(argv, dir_ + "/model.log"));
    }
    void start_qemu(const std::string& extra = ",timeout-ms=5000") {
        ASSERT_TRUE(qt_.start(qemu_, qemu_args(sock_, extra), dir_, dir_ + "/qemu.log"))
            << "QEMU did not start: " << qt_.proc().log();
    }
    // BARs, memory + bus master, MSI-X entries 0 and the error vector.
    void setup_pci() {
        qt_.cfg_write32(kDev, 0x10, static_cast<uint32_t>(kBar0));
        qt_.cfg_write32(kDev, 0x14, 0);
        qt_.cfg_write32(kDev, 0x18, static_cast<uint32_t>(kBar2));
        qt_.cfg_write32(kDev, 0x1c, 0);
        qt_.cfg_write16(kDev, 0x04, 0x0006);
        unsigned msix = find_cap(0x11);
        ASSERT_NE(msix, 0u);
        for (unsigned v = 0; v < CCE_MSIX_VECTORS(kQueues); ++v) {
            uint64_t e = kBar0 + CCE_BAR0_MSIX_TABLE_OFF + 16ull * v;
            qt_.writel(e + 0, static_cast<uint32_t>(kMsi + 16 * v));
            qt_.writel(e + 4, 0);
            qt_.writel(e + 8, kMsiData | v);
            qt_.writel(e + 12, 0);
        }
        qt_.cfg_write16(kDev, msix + 2, qt_.cfg_read16(kDev, msix + 2) | 0x8000);
    }
    unsigned find_cap(uint8_t id) {
        unsigned p = qt_.cfg_read32(kDev, 0x34) & 0xfc;
        for (int n = 0; p && n < 48; ++n) {
            uint32_t h = qt_.cfg_read32(kDev, p);
            if ((h & 0xff) == id) return p;
            p = (h >> 8) & 0xfc;
        }
        return 0;
    }
    unsigned find_ext_cap(uint16_t id) {
        unsigned p = 0x100;
        for (int n = 0; p >= 0x100 && n < 64; ++n) {
            uint32_t h = qt_.ecam_read32(kDev, p);
            if ((h & 0xffff) == id) return p;
            p = (h >> 20) & 0xffc;
        }
        return 0;
    }
    uint32_t reg(uint32_t off) { return qt_.readl(kBar0 + off); }
    void memcpy_job();
    // Program and enable queue 0 (rings at kSq/kCq, 16 entries, MSI-X vector
    // 0), the CQ zeroed; pasid != 0 tags it with that PASID and enables PRI.
    void enable_queue0(uint32_t pasid = 0);
    // Wait for queue 0's MSI-X message; false if it never came.
    bool wait_msi(int tries);
    cce_cpl read_cpl(unsigned idx);
    // Submit a NOP at SQ index idx of queue 0 and wait for its MSI-X; the
    // completion's status, or -1 if no interrupt came.
    int nop_job(unsigned idx, int tries = 1000);

    std::string qemu_, dir_, sock_;
    Proc model_;
    QTest qt_;
};

TEST_F(QemuTest, EnumeratesWithCapabilities) {
    start_model();
    start_qemu();
    EXPECT_EQ(qt_.cfg_read32(kDev, 0x00), (uint32_t(CCE_PCI_DEVICE_ID) << 16) | CCE_PCI_VENDOR_ID);
    EXPECT_EQ(qt_.cfg_read32(kDev, 0x08) >> 16, CCE_PCI_CLASS);
    EXPECT_EQ(qt_.cfg_read32(kDev, 0x08) & 0xff, CCE_PCI_REVISION);
    EXPECT_NE(find_cap(0x10), 0u) << "PCIe capability";
    unsigned msix = find_cap(0x11);
    ASSERT_NE(msix, 0u) << "MSI-X capability";
    EXPECT_EQ((qt_.cfg_read16(kDev, msix + 2) & 0x7ff) + 1u, CCE_MSIX_VECTORS(kQueues));
    EXPECT_EQ(qt_.cfg_read32(kDev, msix + 4), CCE_BAR0_MSIX_TABLE_OFF | CCE_BAR0);
    EXPECT_EQ(qt_.cfg_read32(kDev, msix + 8), CCE_BAR0_MSIX_PBA_OFF | CCE_BAR0);

    qt_.enable_ecam(kEcam);
    EXPECT_NE(find_ext_cap(0x0001), 0u) << "AER";
    EXPECT_NE(find_ext_cap(0x000f), 0u) << "ATS";
    unsigned pasid = find_ext_cap(0x001b);
    ASSERT_NE(pasid, 0u) << "PASID";
    EXPECT_EQ((qt_.ecam_read32(kDev, pasid + 4) >> 8) & 0x1f, CCE_PASID_BITS);
    unsigned pri = find_ext_cap(0x0013);
    ASSERT_NE(pri, 0u) << "PRI";
    EXPECT_TRUE((qt_.ecam_read32(kDev, pri + 4) >> 16) & 0x8000) << "PRG response PASID required";
}

TEST_F(QemuTest, MmioReachesModel) {
    start_model();
    start_qemu();
    setup_pci();
    EXPECT_EQ(reg(CCE_REG_ID), CCE_ID_MAGIC);
    EXPECT_EQ(reg(CCE_REG_VERSION), CCE_VERSION);
    EXPECT_EQ(CCE_CAP0_NUM_QUEUES(reg(CCE_REG_CAP0)), kQueues);
    EXPECT_EQ(CCE_CAP0_PASID_BITS(reg(CCE_REG_CAP0)), CCE_PASID_BITS);
    qt_.writel(kBar0 + CCE_REG_GCTL, CCE_GCTL_ENABLE);
    EXPECT_TRUE(reg(CCE_REG_GSTS) & CCE_GSTS_READY);
    // 64-bit register round trip
    qt_.writeq(kBar0 + CCE_QREG(1, CCE_Q_SQ_BASE), 0x123456780040ull);
    EXPECT_EQ(qt_.readq(kBar0 + CCE_QREG(1, CCE_Q_SQ_BASE)), 0x123456780040ull);
}

TEST_F(QemuTest, MemcpyJobCompletesWithMsix) {
    start_model();
    start_qemu();
    memcpy_job();
    EXPECT_NE(model_.log().find("identity DMA yes"), std::string::npos) << model_.log();
}

// share-ram=off: every DMA goes through QEMU (DMA_READ/DMA_WRITE, pci_dma_rw).
TEST_F(QemuTest, MemcpyJobThroughQemuDma) {
    start_model();
    start_qemu(",timeout-ms=5000,share-ram=off");
    memcpy_job();
    qt_.proc().kill_hard();
    ASSERT_TRUE(model_.wait(20000));
    EXPECT_NE(model_.log().find("0 shared RAM regions"), std::string::npos) << model_.log();
    EXPECT_EQ(model_.log().find("via QEMU 0 "), std::string::npos) << model_.log();
}

// A model that stops answering: the MMIO read times out, device lost, no hang.
TEST_F(QemuTest, StuckModelTimesOut) {
    start_model();
    start_qemu(",timeout-ms=1000");
    setup_pci();
    EXPECT_EQ(reg(CCE_REG_ID), CCE_ID_MAGIC);
    ASSERT_EQ(kill(model_.pid(), SIGSTOP), 0);
    EXPECT_EQ(reg(CCE_REG_ID), 0xffffffffu);
    EXPECT_NE(qt_.proc().log().find("no MMIO_DATA reply"), std::string::npos) << qt_.proc().log();
    EXPECT_TRUE(qt_.proc().running());
    kill(model_.pid(), SIGCONT);
}

void QemuTest::enable_queue0(uint32_t pasid) {
    std::vector<uint8_t> zero(16 * CCE_CPL_SIZE, 0);
    qt_.write(kCq, zero.data(), zero.size());
    qt_.writel(kMsi, 0);
    qt_.writel(kBar0 + CCE_REG_GCTL, CCE_GCTL_ENABLE);
    qt_.writel(kBar0 + CCE_REG_INTCFG, CCE_INTCFG_ERR_IRQ_EN);
    qt_.writeq(kBar0 + CCE_QREG(0, CCE_Q_SQ_BASE), kSq);
    qt_.writeq(kBar0 + CCE_QREG(0, CCE_Q_CQ_BASE), kCq);
    qt_.writel(kBar0 + CCE_QREG(0, CCE_Q_SQ_SIZE), 16);
    qt_.writel(kBar0 + CCE_QREG(0, CCE_Q_CQ_SIZE), 16);
    if (pasid) qt_.writel(kBar0 + CCE_QREG(0, CCE_Q_PASID), CCE_QPASID_EN | pasid);
    qt_.writel(kBar0 + CCE_QREG(0, CCE_Q_IRQ), CCE_QIRQ_MAKE(1, 0));
    qt_.writel(kBar0 + CCE_QREG(0, CCE_Q_MSIX_VEC), 0);
    qt_.writel(kBar0 + CCE_QREG(0, CCE_Q_CTRL),
               CCE_QCTRL_ENABLE | (pasid ? CCE_QCTRL_PRI_EN : 0u));
}

bool QemuTest::wait_msi(int tries) {
    uint32_t msi = 0;
    for (int i = 0; i < tries && msi != kMsiData; ++i) {
        msi = qt_.readl(kMsi);
        if (msi != kMsiData) usleep(5000);
    }
    return msi == kMsiData;
}

cce_cpl QemuTest::read_cpl(unsigned idx) {
    cce_cpl cpl{};
    auto c = qt_.read(kCq + idx * CCE_CPL_SIZE, sizeof cpl);
    if (c.size() == sizeof cpl) std::memcpy(&cpl, c.data(), sizeof cpl);
    return cpl;
}

int QemuTest::nop_job(unsigned idx, int tries) {
    cce_desc d{};
    d.opcode = CCE_OP_NOP;
    d.flags = CCE_DF_IRQ;
    d.cookie = 0x100 + idx;
    qt_.writel(kMsi, 0);
    qt_.write(kSq + idx * CCE_DESC_SIZE, &d, sizeof d);
    qt_.writel(kBar2 + CCE_DB_SQ_TAIL, idx + 1);
    if (!wait_msi(tries)) return -1;
    const cce_cpl cpl = read_cpl(idx);
    return cpl.cookie == 0x100 + idx ? cpl.status : -1;
}

void QemuTest::memcpy_job() {
    setup_pci();
    std::vector<uint8_t> src(4096);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 13 + 1);
    qt_.write(kSrc, src.data(), src.size());
    enable_queue0();
    EXPECT_TRUE(reg(CCE_QREG(0, CCE_Q_STATUS)) & CCE_QSTS_ENABLED);

    cce_desc d{};
    d.opcode = CCE_OP_MEMCPY;
    d.flags = CCE_DF_IRQ;
    d.src = kSrc;
    d.dst = kDst;
    d.src_len = static_cast<uint32_t>(src.size());
    d.dst_len = static_cast<uint32_t>(src.size());
    d.cookie = 0x5eed;
    qt_.write(kSq, &d, sizeof d);
    qt_.writel(kBar2 + CCE_DB_SQ_TAIL, 1);

    ASSERT_TRUE(wait_msi(2000)) << "no MSI-X for queue 0\nqemu: " << qt_.proc().log()
                                << "\nmodel: " << model_.log();
    const cce_cpl cpl = read_cpl(0);
    EXPECT_EQ(cpl.status, CCE_ST_SUCCESS);
    EXPECT_EQ(cpl.cookie, 0x5eedu);
    EXPECT_EQ(cpl.flags & CCE_CPL_PHASE, 1);
    EXPECT_EQ(cpl.bytes_produced, src.size());
    EXPECT_EQ(qt_.read(kDst, src.size()), src);
}

TEST_F(QemuTest, ModelDeathMeansDeviceLost) {
    start_model();
    start_qemu();
    setup_pci();
    qt_.writel(kMsi + 16 * CCE_MSIX_ERR_VECTOR(kQueues), 0);
    EXPECT_EQ(reg(CCE_REG_ID), CCE_ID_MAGIC);
    model_.kill_hard();
    EXPECT_EQ(reg(CCE_REG_ID), 0xffffffffu);
    EXPECT_EQ(reg(CCE_REG_VERSION), 0xffffffffu);
    qt_.writel(kBar2 + CCE_DB_SQ_TAIL, 1);  // dropped, must not hang
    bool ok = false;
    qt_.cmd("readl 0x0", &ok);
    EXPECT_TRUE(ok) << "QEMU stopped answering";
    EXPECT_TRUE(qt_.proc().running());
    EXPECT_EQ(qt_.readl(kMsi + 16 * CCE_MSIX_ERR_VECTOR(kQueues)),
              kMsiData | CCE_MSIX_ERR_VECTOR(kQueues))
        << "error vector not raised";
    EXPECT_NE(qt_.proc().log().find("device lost"), std::string::npos) << qt_.proc().log();
}

// Patch 0002: intel-iommu svm=on starts with PASID + device-IOTLB and
// advertises what Linux needs for SVA; cce-pci realizes behind a root port.
TEST_F(QemuTest, IntelIommuSvmBehindRootPort) {
    start_model();
    std::vector<std::string> args = {
        "-machine", "q35,memory-backend=mem0", "-accel", "qtest", "-nodefaults", "-display",
        "none", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-m", "256M", "-object",
        "memory-backend-memfd,id=mem0,size=256M,share=on", "-device",
        "intel-iommu,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on,"
        "aw-bits=48",
        "-device", "pcie-root-port,id=rp0,chassis=1,slot=1", "-device",
        "cce-pci,bus=rp0,num-queues=" + std::to_string(kQueues) + ",socket=" + sock_};
    ASSERT_TRUE(qt_.start(qemu_, args, dir_, dir_ + "/qemu.log"))
        << "QEMU did not start: " << qt_.proc().log();
    const uint64_t ecap = qt_.readq(0xfed90000ull + 0x10);
    EXPECT_TRUE(ecap & (1ull << 2)) << "DT (device TLB)";
    EXPECT_TRUE(ecap & (1ull << 29)) << "PRS";
    EXPECT_TRUE(ecap & (1ull << 40)) << "PASID";
    EXPECT_TRUE(ecap & (1ull << 42)) << "PDS";
    EXPECT_TRUE(ecap & (1ull << 48)) << "SMPWC";
    EXPECT_NE(model_.log().find("link up"), std::string::npos) << model_.log();
}

// A PASID queue: the engine translates through ATS (intel-iommu with DMAR
// still off, so translations are identity with RW), DMA goes to the
// translated addresses; then the guest's PASID-based device-TLB
// invalidation (through the IOMMU's invalidation queue) reaches the model,
// and the wait descriptor behind it completes only after that.
TEST_F(QemuTest, PasidJobAtsAndDeviceTlbInvalidation) {
    start_model();
    std::vector<std::string> args = {
        "-machine", "q35,memory-backend=mem0", "-accel", "qtest", "-nodefaults", "-display",
        "none", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-m", "256M", "-object",
        "memory-backend-memfd,id=mem0,size=256M,share=on", "-device",
        "intel-iommu,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on,"
        "aw-bits=48",
        "-device",
        "cce-pci,bus=pcie.0,addr=03.0,num-queues=" + std::to_string(kQueues) + ",socket=" + sock_};
    ASSERT_TRUE(qt_.start(qemu_, args, dir_, dir_ + "/qemu.log")) << qt_.proc().log();
    setup_pci();
    qt_.enable_ecam(kEcam);
    const unsigned ats = find_ext_cap(0x000f), pasid_cap = find_ext_cap(0x001b);
    ASSERT_NE(ats, 0u);
    ASSERT_NE(pasid_cap, 0u);
    const uint64_t dev_cfg = kEcam + (uint64_t(kDev) << 15);
    qt_.writel(dev_cfg + ats + 4, 0x8000u << 16);  // ATS enable
    qt_.writel(dev_cfg + pasid_cap + 4, 1u << 16);  // PASID enable
    ASSERT_TRUE(qt_.ecam_read32(kDev, ats + 4) & (0x8000u << 16));

    const uint32_t kPasid = 5;
    std::vector<uint8_t> src(8192);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 31 + 7);
    qt_.write(kSrc, src.data(), src.size());
    enable_queue0(kPasid);
    cce_desc d{};
    d.opcode = CCE_OP_MEMCPY;
    d.flags = CCE_DF_IRQ;
    d.src = kSrc;
    d.dst = kDst;
    d.src_len = d.dst_len = static_cast<uint32_t>(src.size());
    d.cookie = 0xa75;
    qt_.write(kSq, &d, sizeof d);
    qt_.writel(kBar2 + CCE_DB_SQ_TAIL, 1);
    ASSERT_TRUE(wait_msi(2000)) << qt_.proc().log() << model_.log();
    const cce_cpl cpl = read_cpl(0);
    EXPECT_EQ(cpl.status, CCE_ST_SUCCESS) << "fault_addr " << std::hex << cpl.fault_addr;
    EXPECT_EQ(qt_.read(kDst, src.size()), src);
    EXPECT_GT(qt_.readq(kBar0 + CCE_REG_STAT_ATC_MISSES), 0u) << "ATS not used";

    // Invalidation queue (256-bit descriptors) at kIq, status word at kIqSts.
    const uint64_t kVtd = 0xfed90000ull, kIq = 0x1400000, kIqSts = 0x1401000;
    std::vector<uint8_t> q(64, 0);
    const uint64_t sid = kDev << 3;
    const uint64_t lo0 = 0x8 | (sid << 16) | (uint64_t(kPasid) << 32);  // PASID dev-TLB inv
    const uint64_t hi0 = kDst & ~0xfffull;                             // one 4 KiB page
    const uint64_t lo1 = 0x5 | (1u << 5) | (0x600dull << 32);          // wait, status write
    const uint64_t hi1 = kIqSts;
    std::memcpy(&q[0], &lo0, 8);
    std::memcpy(&q[8], &hi0, 8);
    std::memcpy(&q[32], &lo1, 8);
    std::memcpy(&q[40], &hi1, 8);
    qt_.write(kIq, q.data(), q.size());
    qt_.writel(kIqSts, 0);
    qt_.writeq(kVtd + 0x90, kIq | 0x800);  // IQA: base, DW=256-bit, QS=0
    qt_.writel(kVtd + 0x18, 1u << 26);     // GCMD.QIE
    ASSERT_TRUE(qt_.readl(kVtd + 0x1c) & (1u << 26)) << "QI not enabled";
    qt_.writeq(kVtd + 0x88, 2u << 5);      // IQT: two descriptors
    EXPECT_EQ(qt_.readl(kIqSts), 0x600du) << "wait descriptor did not complete\n"
                                          << qt_.proc().log();
    EXPECT_EQ(qt_.readl(kVtd + 0x34) & 0x70u, 0u) << "IOMMU fault status (IQE/ITE/ICE)";

    // The model saw the invalidation (its exit statistics say so).
    qt_.proc().kill_hard();
    int st = 0;
    ASSERT_TRUE(model_.wait(20000, &st));
    EXPECT_NE(model_.log().find("inval 1;"), std::string::npos) << model_.log();
    EXPECT_NE(model_.log().find("ats "), std::string::npos);
}

TEST_F(QemuTest, IntelIommuPasidDeviceIotlbNeedsSvm) {
    Proc q;
    q.start({qemu_, "-machine", "q35", "-accel", "qtest", "-nodefaults", "-display", "none", "-L",
             "/usr/share/seabios", "-L", "/usr/share/qemu", "-device",
             "intel-iommu,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on",
             "-qtest", "null"},
            dir_ + "/noscm.log");
    int st = 0;
    ASSERT_TRUE(q.wait(30000, &st));
    EXPECT_NE(WEXITSTATUS(st), 0);
    EXPECT_NE(q.log().find("PASID based device IOTLB is not supported"), std::string::npos)
        << q.log();
}

// A fake model: correct handshake, answers resets/bus master/MMIO reads,
// then sends one invalid message when asked.
class FakeModel {
public:
    explicit FakeModel(const std::string& sock) {
        lfd_ = cce::cosim::listen_unix(sock);
        th_ = std::thread([this] { run(); });
    }
    ~FakeModel() {
        stop_ = true;
        th_.join();
        if (lfd_ >= 0) close(lfd_);
    }
    std::atomic<bool> send_garbage{false};
    std::atomic<bool> garbage_sent{false};

private:
    void run() {
        int fd = cce::cosim::accept_unix(lfd_, 60000);
        if (fd < 0) return;
        cce_cosim_msg m;
        size_t len;
        int xfd;
        if (cce::cosim::recv_msg(fd, &m, &len, &xfd, 10000) != cce::cosim::RecvStatus::Ok) {
            close(fd);
            return;
        }
        uint32_t hello_seq = m.seq;
        for (uint32_t i = 0; i < m.u.hello.nregions; ++i) {
            cce_cosim_msg r;
            if (cce::cosim::recv_msg(fd, &r, &len, &xfd, 10000) == cce::cosim::RecvStatus::Ok &&
                xfd >= 0)
                close(xfd);
        }
        void* map = nullptr;
        int buf = cce::cosim::make_shared_buffer("fake-xfer", 65536, &map);
        cce_cosim_msg ack{};
        ack.type = CCE_COSIM_HELLO_ACK;
        ack.seq = hello_seq;
        ack.u.hello.magic = CCE_COSIM_MAGIC;
        ack.u.hello.ver_major = CCE_COSIM_VERSION_MAJOR;
        ack.u.hello.num_queues = kQueues;
        ack.u.hello.xfer_size = 65536;
        cce::cosim::send_msg(fd, ack, buf);
        close(buf);
        while (!stop_) {
            if (send_garbage && !garbage_sent) {
                cce_cosim_msg g{};
                g.type = CCE_COSIM_MSIX;
                g.u.msix.vector = 999;  // out of range
                cce::cosim::send_msg(fd, g);
                garbage_sent = true;
            }
            auto st = cce::cosim::recv_msg(fd, &m, &len, &xfd, 20);
            if (st == cce::cosim::RecvStatus::Timeout) continue;
            if (st != cce::cosim::RecvStatus::Ok) break;
            cce_cosim_msg r{};
            r.seq = m.seq;
            if (m.type == CCE_COSIM_RESET || m.type == CCE_COSIM_BUS_MASTER ||
                m.type == CCE_COSIM_ATC_INVAL) {
                r.type = CCE_COSIM_ACK;
                r.u.status.req_type = m.type;
                cce::cosim::send_msg(fd, r);
            } else if (m.type == CCE_COSIM_MMIO_READ) {
                r.type = CCE_COSIM_MMIO_DATA;
                r.u.mmio.value = CCE_ID_MAGIC;
                cce::cosim::send_msg(fd, r);
            }
        }
        munmap(map, 65536);
        close(fd);
    }
    int lfd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread th_;
};

TEST_F(QemuTest, GarbageFromModelIsRejectedAndLogged) {
    FakeModel fake(sock_);
    start_qemu();
    setup_pci();
    EXPECT_EQ(reg(CCE_REG_ID), CCE_ID_MAGIC);
    fake.send_garbage = true;
    for (int i = 0; i < 500 && !fake.garbage_sent; ++i) usleep(2000);
    ASSERT_TRUE(fake.garbage_sent);
    // Let QEMU's main loop see it.
    for (int i = 0; i < 200; ++i) {
        if (qt_.proc().log().find("device lost") != std::string::npos) break;
        qt_.cmd("readl 0x0");
        usleep(10000);
    }
    std::string log = qt_.proc().log();
    EXPECT_NE(log.find("invalid message from the model"), std::string::npos) << log;
    EXPECT_NE(log.find("field out of range"), std::string::npos) << log;
    EXPECT_EQ(reg(CCE_REG_ID), 0xffffffffu);
    EXPECT_TRUE(qt_.proc().running());
}

// Internal errors the model injects reach the guest through AER: a
// corrected internal error, then an uncorrectable one whose severity the
// guest's AER severity register decides (default fatal; cleared: non-fatal).
TEST_F(QemuTest, InjectedInternalErrorsAreReportedThroughAer) {
    start_model({"--fault", "class=ce queue=0", "--fault",
                 "class=ue severity=nonfatal queue=0 after=1 count=2"});
    start_qemu();
    setup_pci();
    qt_.enable_ecam(kEcam);
    const unsigned aer = find_ext_cap(0x0001), exp = find_cap(0x10);
    ASSERT_NE(aer, 0u);
    ASSERT_NE(exp, 0u);
    const uint64_t dev_cfg = kEcam + (uint64_t(kDev) << 15);
    // Unmask internal errors (masked by default) and enable error reporting.
    qt_.writel(dev_cfg + aer + 0x08, 0);  // UNCOR_MASK
    qt_.writel(dev_cfg + aer + 0x14, 0);  // COR_MASK
    qt_.cfg_write16(kDev, exp + 8, qt_.cfg_read16(kDev, exp + 8) | 0xf);  // DEVCTL CERE..URRE
    ASSERT_EQ(qt_.ecam_read32(kDev, aer + 0x04), 0u);
    ASSERT_EQ(qt_.ecam_read32(kDev, aer + 0x10), 0u);
    enable_queue0();

    EXPECT_EQ(nop_job(0), CCE_ST_SUCCESS) << qt_.proc().log() << model_.log();
    EXPECT_EQ(qt_.ecam_read32(kDev, aer + 0x10), 1u << 14) << "COR_STATUS: corrected internal";
    EXPECT_EQ(qt_.ecam_read32(kDev, aer + 0x04), 0u);
    EXPECT_TRUE(qt_.cfg_read16(kDev, exp + 0x0a) & 0x1) << "DEVSTA.CED";
    EXPECT_EQ(reg(CCE_REG_RAS_CE_COUNT), 1u);
    EXPECT_EQ(reg(CCE_REG_RAS_STATUS), CCE_RAS_CE_INTERNAL);

    // UE with the default severity (internal errors are fatal by default).
    EXPECT_EQ(nop_job(1), CCE_ST_INTERNAL_ERROR) << qt_.proc().log() << model_.log();
    EXPECT_EQ(qt_.ecam_read32(kDev, aer + 0x04), 1u << 22) << "UNCOR_STATUS: internal";
    EXPECT_TRUE(qt_.cfg_read16(kDev, exp + 0x0a) & 0x4) << "DEVSTA.FED";
    EXPECT_EQ(reg(CCE_REG_RAS_UE_COUNT), 1u);
    EXPECT_FALSE(reg(CCE_REG_GSTS) & CCE_GSTS_FATAL) << "the device itself goes on";

    // Guest makes internal errors non-fatal, clears the status bits.
    qt_.writel(dev_cfg + aer + 0x04, 1u << 22);
    qt_.cfg_write16(kDev, exp + 0x0a, 0xf);
    qt_.writel(dev_cfg + aer + 0x0c, qt_.ecam_read32(kDev, aer + 0x0c) & ~(1u << 22));
    EXPECT_EQ(nop_job(2), CCE_ST_INTERNAL_ERROR);
    EXPECT_EQ(qt_.ecam_read32(kDev, aer + 0x04), 1u << 22);
    const uint16_t devsta = qt_.cfg_read16(kDev, exp + 0x0a);
    EXPECT_TRUE(devsta & 0x2) << "DEVSTA.NFED " << devsta;
    EXPECT_FALSE(devsta & 0x4) << "DEVSTA.FED " << devsta;
    EXPECT_EQ(nop_job(3), CCE_ST_SUCCESS) << "count=2 used up";
    EXPECT_TRUE(qt_.proc().running());

    qt_.proc().kill_hard();
    ASSERT_TRUE(model_.wait(20000));
    EXPECT_NE(model_.log().find("aer 3 (0 not sent"), std::string::npos) << model_.log();
}

// The model aborting at an injected crash: QEMU survives, the device is
// lost (all-ones reads, uncorrectable internal error, error vector).
TEST_F(QemuTest, InjectedModelCrashLeavesQemuRunningWithTheDeviceLost) {
    start_model({"--fault", "class=crash after=1"});
    start_qemu();
    setup_pci();
    qt_.enable_ecam(kEcam);
    const unsigned aer = find_ext_cap(0x0001);
    ASSERT_NE(aer, 0u);
    enable_queue0();
    qt_.writel(kMsi + 16 * CCE_MSIX_ERR_VECTOR(kQueues), 0);
    EXPECT_EQ(nop_job(0), CCE_ST_SUCCESS) << qt_.proc().log() << model_.log();
    EXPECT_EQ(nop_job(1, 100), -1) << "the crash job completes nothing";
    int st = 0;
    ASSERT_TRUE(model_.wait(20000, &st)) << model_.log();
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT) << model_.log();
    EXPECT_NE(model_.log().find("injected crash: "), std::string::npos) << model_.log();
    EXPECT_EQ(reg(CCE_REG_ID), 0xffffffffu);
    EXPECT_EQ(qt_.readq(kBar0 + CCE_REG_STAT_JOBS), ~0ull);
    qt_.writel(kBar2 + CCE_DB_SQ_TAIL, 3);  // dropped
    EXPECT_TRUE(qt_.proc().running());
    EXPECT_NE(qt_.proc().log().find("device lost"), std::string::npos) << qt_.proc().log();
    EXPECT_EQ(qt_.ecam_read32(kDev, aer + 0x04) & (1u << 22), 1u << 22)
        << "uncorrectable internal error latched in AER";
    EXPECT_EQ(qt_.readl(kMsi + 16 * CCE_MSIX_ERR_VECTOR(kQueues)),
              kMsiData | CCE_MSIX_ERR_VECTOR(kQueues))
        << "error vector not raised";
}

}  // namespace
