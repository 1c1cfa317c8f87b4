// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "cce/libcce.h"

namespace cce::lib {
// Devices under sysfs_root (NULL: default), best first (see cce_list_devices).
int discover(const char* sysfs_root, uint32_t required, int numa_node, std::vector<cce_device_info>& out);
uint32_t parse_algorithms(const std::string& text);
std::string sysfs_root_or_default(const char* root);
}  // namespace cce::lib
