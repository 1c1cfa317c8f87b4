// SPDX-License-Identifier: MIT
// Device discovery through sysfs: /sys/class/uacce/cce-*/{api,algorithms,
// available_instances}, the PCI device's numa_node/sva/hw_version (via the
// "device" link), and NUMA distances from /sys/devices/system/node/nodeN/
// distance. The sysfs root is a parameter so tests use a fake tree.
#include <dirent.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cce/libcce.h"
#include "discovery.h"

namespace cce::lib {

namespace {

struct AlgName {
    uint32_t bit;
    const char* name;
};
constexpr AlgName kAlgs[] = {
    {CCE_ALG_NOP, "nop"},         {CCE_ALG_MEMCPY, "memcpy"},         {CCE_ALG_CRC32, "crc32"},
    {CCE_ALG_CRC32C, "crc32c"},   {CCE_ALG_DEFLATE, "deflate"},       {CCE_ALG_INFLATE, "inflate"},
    {CCE_ALG_XTS_ENC, "xts(aes)-enc"}, {CCE_ALG_XTS_DEC, "xts(aes)-dec"}, {CCE_ALG_GCM_ENC, "gcm(aes)-enc"},
    {CCE_ALG_GCM_DEC, "gcm(aes)-dec"}, {CCE_ALG_SHA256, "sha256"},     {CCE_ALG_HMAC_SHA256, "hmac(sha256)"},
};

bool read_text(const std::string& path, std::string& out) {
    std::ifstream f(path);
    if (!f) return false;
    std::stringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return true;
}

bool read_int(const std::string& path, long& v) {
    std::string s;
    if (!read_text(path, s) || s.empty()) return false;
    char* end = nullptr;
    v = std::strtol(s.c_str(), &end, 10);
    return end && end != s.c_str();
}

void copy_str(char* dst, size_t cap, const std::string& s) {
    std::snprintf(dst, cap, "%s", s.c_str());
}

// Distances from node `from` to every node, or empty.
std::vector<int> distances(const std::string& root, int from) {
    std::vector<int> d;
    std::string s;
    if (from < 0 || !read_text(root + "/devices/system/node/node" + std::to_string(from) + "/distance", s)) return d;
    std::istringstream in(s);
    int v;
    while (in >> v) d.push_back(v);
    return d;
}

int current_node(const std::string& root) {
    unsigned cpu = 0, node = 0;
    if (getcpu(&cpu, &node) == 0) return int(node);
    // Fallback: the node directory that lists this CPU.
    (void)root;
    return -1;
}

}  // namespace

std::string sysfs_root_or_default(const char* root) {
    if (root && *root) return root;
    if (const char* e = std::getenv("CCE_SYSFS_ROOT"); e && *e) return e;
    return "/sys";
}

uint32_t parse_algorithms(const std::string& text) {
    uint32_t m = 0;
    std::istringstream in(text);
    std::string w;
    while (in >> w)
        for (const auto& a : kAlgs)
            if (w == a.name) m |= a.bit;
    return m;
}

const char* alg_name(uint32_t alg) {
    for (const auto& a : kAlgs)
        if (a.bit == alg) return a.name;
    return nullptr;
}

int discover(const char* sysfs_root, uint32_t required, int numa_node, std::vector<cce_device_info>& out) {
    out.clear();
    const std::string root = sysfs_root_or_default(sysfs_root);
    const char* dev_env = std::getenv("CCE_DEV_ROOT");
    const std::string dev_root = dev_env && *dev_env ? dev_env : "/dev";
    const std::string cls = root + "/class/uacce";
    DIR* dir = opendir(cls.c_str());
    if (!dir) return CCE_OK;  // no uacce at all: no device
    std::vector<std::string> names;
    while (dirent* e = readdir(dir))
        if (std::strncmp(e->d_name, "cce-", 4) == 0) names.emplace_back(e->d_name);
    closedir(dir);
    std::sort(names.begin(), names.end());

    const int from = numa_node == CCE_NUMA_CURRENT ? current_node(root) : numa_node;
    const std::vector<int> dist = numa_node == CCE_NUMA_ANY ? std::vector<int>{} : distances(root, from);

    for (const auto& n : names) {
        const std::string d = cls + "/" + n;
        cce_device_info info{};
        copy_str(info.name, sizeof info.name, n);
        copy_str(info.path, sizeof info.path, dev_root + "/" + n);
        std::string s;
        if (read_text(d + "/api", s)) copy_str(info.api, sizeof info.api, s);
        if (std::strcmp(info.api, "cce_v1") != 0) continue;  // not a CCE queue file we speak
        if (read_text(d + "/algorithms", s)) info.algs = parse_algorithms(s);
        if ((info.algs & required) != required) continue;
        long v;
        info.available_queues = read_int(d + "/available_instances", v) ? int(v) : -1;
        info.numa_node = read_int(d + "/device/numa_node", v) ? int(v) : -1;
        if (read_text(d + "/device/sva", s)) copy_str(info.sva, sizeof info.sva, s);
        if (read_text(d + "/device/hw_version", s)) copy_str(info.hw_version, sizeof info.hw_version, s);
        info.distance = -1;
        if (numa_node != CCE_NUMA_ANY) {
            if (info.numa_node >= 0 && size_t(info.numa_node) < dist.size()) info.distance = dist[info.numa_node];
            else if (info.numa_node < 0 || from < 0) info.distance = 10;  // no NUMA information: local
        }
        out.push_back(info);
    }
    // Best first: nearest, then most free queues; unknown distance last.
    std::stable_sort(out.begin(), out.end(), [](const cce_device_info& a, const cce_device_info& b) {
        const unsigned da = unsigned(a.distance), db = unsigned(b.distance);  // -1 sorts last
        if (da != db) return da < db;
        return a.available_queues > b.available_queues;
    });
    return CCE_OK;
}

}  // namespace cce::lib

extern "C" int cce_list_devices(const char* sysfs_root, uint32_t required_algs, int numa_node,
                                cce_device_info* out, size_t max, size_t* count) {
    if (!count || (max && !out)) return CCE_E_INVAL;
    std::vector<cce_device_info> v;
    const int err = cce::lib::discover(sysfs_root, required_algs, numa_node, v);
    if (err) return err;
    for (size_t i = 0; i < v.size() && i < max; ++i) out[i] = v[i];
    *count = v.size();
    return CCE_OK;
}

extern "C" const char* cce_alg_name(uint32_t alg) { return cce::lib::alg_name(alg); }
