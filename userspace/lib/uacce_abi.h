// SPDX-License-Identifier: MIT
// The parts of Linux's uacce UAPI (<misc/uacce/uacce.h>) libcce uses,
// defined here because Debian's linux-libc-dev does not always ship that
// header (and its UACCE_DEV_SVA uses the kernel-only BIT() macro). Values
// are the kernel's ABI: include/uapi/misc/uacce/uacce.h.
#pragma once

#include <sys/ioctl.h>

namespace cce::lib::uacce {

constexpr unsigned long kCmdStartQ = _IO('W', 0);  // UACCE_CMD_START_Q
constexpr unsigned long kCmdPutQ = _IO('W', 1);    // UACCE_CMD_PUT_Q
constexpr unsigned kDevSva = 1u << 0;              // UACCE_DEV_SVA (sysfs "flags")
constexpr unsigned kQfrtMmio = 0;                  // UACCE_QFRT_MMIO: doorbell page
constexpr unsigned kQfrtDus = 1;                   // UACCE_QFRT_DUS: ring region
// mmap offset of a region = its type * the page size (sysconf(_SC_PAGESIZE)).

}  // namespace cce::lib::uacce
