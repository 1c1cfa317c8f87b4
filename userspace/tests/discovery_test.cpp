// SPDX-License-Identifier: MIT
// sysfs discovery against a fake sysfs tree in a temporary directory:
// parsing (api, algorithms, available_instances, the PCI device's
// numa_node/sva/hw_version), filtering by algorithm, ordering by NUMA
// distance then free queues, and cce_open() over it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cce/libcce.h"

namespace fs = std::filesystem;

namespace {

class FakeSysfs : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/cce-sysfs-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        const std::string all = "nop\nmemcpy\ncrc32\ncrc32c\ndeflate\ninflate\nxts(aes)-enc\nxts(aes)-dec\n"
                                "gcm(aes)-enc\ngcm(aes)-dec\nsha256\nhmac(sha256)\n";
        // cce-0: node 1, 3 free queues, everything
        device("cce-0", "0000:00:03.0", "cce_v1", all, "3", "1");
        // cce-1: node 0, 2 free, no GCM
        device("cce-1", "0000:00:04.0", "cce_v1", "nop\nmemcpy\ncrc32\ndeflate\ninflate\nop-0x3e\n", "2", "0");
        // cce-2: some other uacce device: ignored
        device("cce-2", "0000:00:05.0", "hisi_qm_v2", all, "8", "0");
        // cce-3: node 0, no free queue
        device("cce-3", "0000:00:06.0", "cce_v1", all, "0", "0");
        // cce-4: no NUMA information (-1)
        device("cce-4", "0000:00:07.0", "cce_v1", all, "1", "-1");
        write("devices/system/node/node0/distance", "10 21\n");
        write("devices/system/node/node1/distance", "21 10\n");
        fs::create_directories(root_ + "/class/uacce/hisi_zip-0");  // not cce-*
    }
    void TearDown() override { fs::remove_all(root_); }

    void write(const std::string& rel, const std::string& text) {
        const fs::path p = fs::path(root_) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    void device(const std::string& name, const std::string& bdf, const std::string& api, const std::string& algs,
                const std::string& free, const std::string& node) {
        const std::string pci = "devices/pci0000:00/" + bdf;
        write(pci + "/numa_node", node + "\n");
        write(pci + "/sva", "enabled\n");
        write(pci + "/hw_version", "1.0\n");
        const std::string d = "devices/pci0000:00/" + bdf + "/uacce/" + name;
        write(d + "/api", api + "\n");
        write(d + "/algorithms", algs);
        write(d + "/available_instances", free + "\n");
        write(d + "/flags", "1\n");
        fs::create_directories(root_ + "/class/uacce");
        fs::create_directory_symlink(fs::path(root_) / pci, fs::path(root_) / d / "device");
        fs::create_directory_symlink(fs::path(root_) / d, fs::path(root_) / "class/uacce" / name);
    }
    std::vector<cce_device_info> list(uint32_t algs, int node) {
        std::vector<cce_device_info> v(16);
        size_t n = 0;
        EXPECT_EQ(cce_list_devices(root_.c_str(), algs, node, v.data(), v.size(), &n), CCE_OK);
        v.resize(n);
        return v;
    }
    std::string root_;
};

TEST_F(FakeSysfs, ParsesDevices) {
    const auto v = list(0, CCE_NUMA_ANY);
    ASSERT_EQ(v.size(), 4u);  // cce-2 has another api
    const cce_device_info* d0 = nullptr;
    for (const auto& d : v)
        if (std::string(d.name) == "cce-0") d0 = &d;
    ASSERT_NE(d0, nullptr);
    EXPECT_STREQ(d0->path, "/dev/cce-0");
    EXPECT_STREQ(d0->api, "cce_v1");
    EXPECT_STREQ(d0->hw_version, "1.0");
    EXPECT_STREQ(d0->sva, "enabled");
    EXPECT_EQ(d0->numa_node, 1);
    EXPECT_EQ(d0->available_queues, 3);
    EXPECT_EQ(d0->algs, 0xfffu);
    // Ignoring NUMA: most free queues first.
    EXPECT_STREQ(v[0].name, "cce-0");
    EXPECT_STREQ(v.back().name, "cce-3");
}

TEST_F(FakeSysfs, NearestThenFreestFirst) {
    auto v = list(0, 0);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_STREQ(v[0].name, "cce-1");  // node 0, distance 10, 2 free
    EXPECT_EQ(v[0].distance, 10);
    EXPECT_STREQ(v[1].name, "cce-4");  // no NUMA info: treated as local, 1 free
    EXPECT_STREQ(v[2].name, "cce-3");  // node 0, none free
    EXPECT_STREQ(v[3].name, "cce-0");  // node 1: distance 21
    EXPECT_EQ(v[3].distance, 21);
    v = list(0, 1);
    EXPECT_STREQ(v[0].name, "cce-0");
    EXPECT_EQ(v[0].distance, 10);
}

TEST_F(FakeSysfs, FiltersByAlgorithm) {
    auto v = list(CCE_ALG_GCM_ENC | CCE_ALG_DEFLATE, 0);
    ASSERT_EQ(v.size(), 3u);
    for (const auto& d : v) EXPECT_STRNE(d.name, "cce-1");
    v = list(CCE_ALG_DEFLATE | CCE_ALG_MEMCPY, 0);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[0].algs, uint32_t(CCE_ALG_NOP | CCE_ALG_MEMCPY | CCE_ALG_CRC32 | CCE_ALG_DEFLATE |
                                  CCE_ALG_INFLATE));  // op-0x3e ignored
}

TEST_F(FakeSysfs, CountBeyondMaxAndNames) {
    cce_device_info one;
    size_t n = 0;
    ASSERT_EQ(cce_list_devices(root_.c_str(), 0, CCE_NUMA_ANY, &one, 1, &n), CCE_OK);
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(cce_list_devices(root_.c_str(), 0, 0, nullptr, 1, &n), CCE_E_INVAL);
    EXPECT_STREQ(cce_alg_name(CCE_ALG_XTS_DEC), "xts(aes)-dec");
    EXPECT_STREQ(cce_alg_name(CCE_ALG_HMAC_SHA256), "hmac(sha256)");
    EXPECT_EQ(cce_alg_name(3), nullptr);
}

TEST_F(FakeSysfs, NoUacceMeansNoDevice) {
    size_t n = 99;
    const std::string empty = root_ + "/devices";  // has no class/uacce
    ASSERT_EQ(cce_list_devices(empty.c_str(), 0, 0, nullptr, 0, &n), CCE_OK);
    EXPECT_EQ(n, 0u);
}

TEST_F(FakeSysfs, OpenTriesDevicesThenFallsBack) {
    // The listed devices have no queue file here (CCE_DEV_ROOT points at an
    // empty directory): AUTO ends in software, HW_ONLY reports no device.
    const std::string devroot = root_ + "/dev";
    fs::create_directories(devroot);
    setenv("CCE_DEV_ROOT", devroot.c_str(), 1);
    cce_open_opts o;
    cce_open_opts_init(&o);
    o.sysfs_root = root_.c_str();
    o.required_algs = CCE_ALG_DEFLATE;
    cce_ctx* c = nullptr;
    ASSERT_EQ(cce_open(&o, &c), CCE_OK);
    EXPECT_EQ(cce_has_device(c), 0);
    EXPECT_STREQ(cce_backend_name(c), "software");
    cce_close(c);
    o.policy = CCE_POLICY_HW_ONLY;
    EXPECT_EQ(cce_open(&o, &c), CCE_E_NODEV);
    unsetenv("CCE_DEV_ROOT");
}

}  // namespace
