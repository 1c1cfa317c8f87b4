// SPDX-License-Identifier: MIT
// The engine model's view of the host: everything the device needs from the
// PCIe side, and nothing about who provides it. Two implementations exist:
// the test harness (rtl-model/harness, simulated memory + IOMMU) and the
// cosim link to QEMU (rtl-model/cosim). The model never knows which.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cce::model {

// Attributes of one DMA access, as a PCIe TLP would carry them.
struct DmaAttrs {
    bool pasid_valid = false;  // TLP carries a PASID prefix
    uint32_t pasid = 0;
    bool translated = false;   // address came from ATS (AT=translated)
};

enum class DmaStatus {
    Ok,
    Fault,     // IOMMU refused the access (untranslated DMA)
    BusError,  // no memory there / master abort
};

// Answer to an ATS translation request for one page.
struct AtsResult {
    bool ok = false;         // false: the host could not translate at all
    bool read = false;       // R permission granted
    bool write = false;      // W permission granted (R=W=0: not present)
    uint64_t addr = 0;       // translated address of the page
    uint32_t page_shift = 12;
};

// A PRI page request. The host answers later through Engine::page_response
// with the same prg_index; the model waits (simulated time stands still for
// the waiting queue, other queues go on).
struct PageRequest {
    uint32_t pasid = 0;
    uint64_t addr = 0;       // page-aligned
    bool read = false;
    bool write = false;
    uint16_t prg_index = 0;
};

// PCIe AER severity of an error the device signals.
enum class AerSeverity {
    Correctable,  // ERR_COR: corrected internal error
    NonFatal,     // ERR_NONFATAL: uncorrectable, the function keeps working
    Fatal,        // ERR_FATAL: uncorrectable, the function needs a reset
};

class HostInterface {
public:
    virtual ~HostInterface() = default;

    virtual DmaStatus dma_read(uint64_t addr, void* buf, size_t len, const DmaAttrs& attrs) = 0;
    virtual DmaStatus dma_write(uint64_t addr, const void* buf, size_t len,
                                const DmaAttrs& attrs) = 0;
    virtual AtsResult ats_translate(uint32_t pasid, uint64_t addr, bool write) = 0;
    virtual void page_request(const PageRequest& req) = 0;
    virtual void raise_msix(uint16_t vector) = 0;
    // Signal an internal error through AER (info: the RAS_ERR_INFO value).
    // A host without AER ignores it; the RAS registers hold it either way.
    virtual void raise_aer(AerSeverity sev, uint64_t info) {
        (void)sev;
        (void)info;
    }
};

}  // namespace cce::model
