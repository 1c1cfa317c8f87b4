// SPDX-License-Identifier: MIT
// Fault specs (parse, print) and the injector's bookkeeping: selectors,
// triggers, per-fault seeded PRNG, the injection log and counters.
#include "fault.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "cce/cce_hw.h"
#include "cce/model/engine.h"

namespace cce::model {

namespace {

constexpr const char* kClassNames[kFaultClassCount] = {
    "xlate", "pri_fail", "ats_delay", "hang", "bitflip", "cpl_error",
    "msix_lost", "msix_dup", "ce", "ue", "crash",
};

std::string underscored(std::string s) {
    for (char& c : s)
        if (c == '-') c = '_';
    return s;
}

bool parse_u64(const std::string& v, uint64_t& out) {
    if (v.empty() || v[0] == '-' || v[0] == '+' || v[0] == ' ') return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 0);
    if (errno || !end || *end) return false;
    out = x;
    return true;
}

bool parse_opcode(const std::string& v, uint8_t& out) {
    uint64_t n = 0;
    if (parse_u64(v, n)) {
        if (n > CCE_OP_MAX) return false;
        out = static_cast<uint8_t>(n);
        return true;
    }
    const std::string want = underscored(v);
    for (unsigned op = 0; op <= CCE_OP_MAX; ++op) {
        const char* name = opcode_name(static_cast<uint8_t>(op));
        if (std::string(name) != "unknown" && underscored(name) == want) {
            out = static_cast<uint8_t>(op);
            return true;
        }
    }
    return false;
}

bool parse_status(const std::string& v, uint8_t& out) {
    uint64_t n = 0;
    if (parse_u64(v, n)) {
        if (n < 1 || n > CCE_ST_MAX) return false;
        out = static_cast<uint8_t>(n);
        return true;
    }
    std::string want = underscored(v);
    if (want == "internal") want = "internal_error";
    for (unsigned st = 1; st <= CCE_ST_MAX; ++st) {
        if (underscored(status_name(static_cast<uint8_t>(st))) == want) {
            out = static_cast<uint8_t>(st);
            return true;
        }
    }
    return false;
}

// Keys each class accepts beyond the common ones.
bool class_takes(FaultClass c, const std::string& key) {
    if (key == "addr") return c == FaultClass::XlateFault;
    if (key == "status") return c == FaultClass::CplError;
    if (key == "delay_ns") return c == FaultClass::AtsDelay;
    if (key == "bit") return c == FaultClass::BitFlip;
    if (key == "severity") return c == FaultClass::Ue;
    // An invalidation carries a PASID but no queue or opcode.
    if (key == "queue" || key == "opcode") return c != FaultClass::AtsDelay;
    return true;
}

}  // namespace

const char* fault_class_name(FaultClass c) {
    const auto i = static_cast<unsigned>(c);
    return i < kFaultClassCount ? kClassNames[i] : "unknown";
}

bool FaultSpec::timed() const {
    return at_ns && !queue && !pasid && !opcode && !after && !prob &&
           (cls == FaultClass::Ce || cls == FaultClass::Ue || cls == FaultClass::Crash);
}

std::string FaultSpec::text() const {
    std::ostringstream o;
    o << "class=" << fault_class_name(cls);
    if (queue) o << " queue=" << *queue;
    if (pasid) o << " pasid=" << *pasid;
    if (opcode) {
        const char* n = opcode_name(*opcode);
        if (std::string(n) == "unknown")
            o << " opcode=" << unsigned(*opcode);
        else
            o << " opcode=" << underscored(n);
    }
    if (after) o << " after=" << *after;
    if (at_ns) o << " at_ns=" << *at_ns;
    if (prob) {
        char b[40];
        std::snprintf(b, sizeof b, "%.17g", *prob);
        o << " prob=" << b;
    }
    if (seed) o << " seed=" << *seed;
    if (count) o << " count=" << *count;
    if (addr) {
        char b[24];
        std::snprintf(b, sizeof b, "0x%" PRIx64, *addr);
        o << " addr=" << b;
    }
    if (cls == FaultClass::CplError) o << " status=" << underscored(status_name(status));
    if (cls == FaultClass::AtsDelay) o << " delay_ns=" << delay_ns;
    if (bit) o << " bit=" << *bit;
    if (cls == FaultClass::Ue) o << " severity=" << (fatal ? "fatal" : "nonfatal");
    return o.str();
}

bool parse_fault_spec(const std::string& text, FaultSpec& out, std::string& err) {
    std::istringstream in(text);
    std::string tok;
    std::vector<std::pair<std::string, std::string>> kv;
    std::set<std::string> seen;
    std::optional<FaultClass> cls;
    while (in >> tok) {
        const size_t eq = tok.find('=');
        if (eq == std::string::npos || eq == 0) {
            err = "expected key=value, got '" + tok + "'";
            return false;
        }
        std::string key = tok.substr(0, eq), val = tok.substr(eq + 1);
        if (val.empty()) {
            err = "empty value for " + key;
            return false;
        }
        if (!seen.insert(key).second) {
            err = "duplicate key " + key;
            return false;
        }
        if (key == "class") {
            const std::string want = underscored(val);
            for (unsigned i = 0; i < kFaultClassCount; ++i)
                if (want == kClassNames[i]) cls = static_cast<FaultClass>(i);
            if (!cls) {
                err = "unknown class '" + val +
                      "' (xlate, pri_fail, ats_delay, hang, bitflip, cpl_error, msix_lost, "
                      "msix_dup, ce, ue, crash)";
                return false;
            }
            continue;
        }
        kv.emplace_back(std::move(key), std::move(val));
    }
    if (!cls) {
        err = seen.empty() ? "empty fault spec" : "missing class=";
        return false;
    }
    FaultSpec s;
    s.cls = *cls;
    if (s.cls == FaultClass::AtsDelay) s.delay_ns = 10000;
    for (const auto& kvp : kv) {
        // Named references, not a structured binding: lambdas capture them.
        const std::string& key = kvp.first;
        const std::string& val = kvp.second;
        static const std::set<std::string> known = {
            "queue", "pasid", "opcode", "after", "at_ns", "prob", "seed", "count",
            "addr", "status", "delay_ns", "bit", "severity"};
        if (!known.count(key)) {
            err = "unknown key '" + key + "'";
            return false;
        }
        if (!class_takes(s.cls, key)) {
            err = std::string("class ") + fault_class_name(s.cls) + " does not take " + key + "=";
            return false;
        }
        auto bad = [&](const char* what) {
            err = "bad value '" + val + "' for " + key + " (" + what + ")";
            return false;
        };
        uint64_t n = 0;
        if (key == "opcode") {
            uint8_t op = 0;
            if (!parse_opcode(val, op)) return bad("opcode name like memcpy, or 0..63");
            s.opcode = op;
        } else if (key == "status") {
            uint8_t st = 0;
            if (!parse_status(val, st)) return bad("error status name like internal_error, or 1..10");
            s.status = st;
        } else if (key == "severity") {
            if (val == "fatal")
                s.fatal = true;
            else if (val == "nonfatal" || val == "non_fatal" || val == "non-fatal")
                s.fatal = false;
            else
                return bad("fatal or nonfatal");
        } else if (key == "prob") {
            char* end = nullptr;
            errno = 0;
            const double p = std::strtod(val.c_str(), &end);
            if (errno || !end || *end || !(p > 0.0 && p <= 1.0)) return bad("0 < P <= 1");
            s.prob = p;
        } else {
            if (!parse_u64(val, n)) return bad("unsigned integer");
            if (key == "queue") {
                if (n >= CCE_MAX_QUEUES) return bad("queue 0..63");
                s.queue = static_cast<unsigned>(n);
            } else if (key == "pasid") {
                if (n > CCE_QPASID_PASID_MASK) return bad("20-bit PASID");
                s.pasid = static_cast<uint32_t>(n);
            } else if (key == "after") {
                s.after = n;
            } else if (key == "at_ns") {
                s.at_ns = n;
            } else if (key == "seed") {
                s.seed = n;
            } else if (key == "count") {
                s.count = n;
            } else if (key == "addr") {
                s.addr = n;
            } else if (key == "delay_ns") {
                if (n == 0 || n > 3600ull * 1000000000ull) return bad("1 ns .. 1 hour");
                s.delay_ns = n;
            } else if (key == "bit") {
                s.bit = n;
            }
        }
    }
    if (s.seed && !s.prob) {
        err = "seed= only makes sense with prob=";
        return false;
    }
    out = s;
    return true;
}

std::string FaultRecord::text() const {
    char b[256];
    int n = std::snprintf(b, sizeof b, "t=%" PRIu64 "ns fault=%u class=%s", time_ns, fault_id,
                          fault_class_name(cls));
    if (queue >= 0) n += std::snprintf(b + n, sizeof b - n, " queue=%d", queue);
    if (pasid_valid) n += std::snprintf(b + n, sizeof b - n, " pasid=%u", pasid);
    if (opcode >= 0)
        n += std::snprintf(b + n, sizeof b - n, " opcode=%s",
                           underscored(opcode_name(static_cast<uint8_t>(opcode))).c_str());
    std::snprintf(b + n, sizeof b - n, " detail=0x%" PRIx64, detail);
    return b;
}

// ------------------------------------------------------------ injector --

unsigned FaultInjector::add(const FaultSpec& s) {
    Entry e;
    e.st.id = next_id_++;
    e.st.spec = s;
    // Same seed, same specs, same job sequence: same injections.
    e.rng.seed(s.seed ? *s.seed : seed_ ^ (0x9e3779b97f4a7c15ull * e.st.id));
    faults_.push_back(std::move(e));
    recount();
    return faults_.back().st.id;
}

size_t FaultInjector::clear() {
    const size_t n = faults_.size();
    faults_.clear();
    recount();
    return n;
}

bool FaultInjector::live(const Entry& e) const {
    const uint64_t max = e.st.spec.max_count();
    return !e.exhausted && (max == 0 || e.st.injected < max);
}

void FaultInjector::recount() {
    active_.fill(0);
    for (const auto& e : faults_)
        if (live(e) && !e.st.spec.timed()) ++active_[static_cast<unsigned>(e.st.spec.cls)];
}

double FaultInjector::uniform(Entry& e) {
    // 53 random bits: the same on every platform (std distributions are not).
    return static_cast<double>(e.rng() >> 11) * (1.0 / 9007199254740992.0);
}

std::optional<FiredFault> FaultInjector::fire(FaultClass c, const FaultSite& site,
                                              const std::function<bool(const FaultSpec&)>& extra) {
    if (!has(c)) return std::nullopt;
    for (auto& e : faults_) {
        const FaultSpec& s = e.st.spec;
        if (s.cls != c || s.timed() || !live(e)) continue;
        if (s.queue && int(*s.queue) != site.queue) continue;
        if (s.pasid && (!site.pasid_valid || *s.pasid != site.pasid)) continue;
        if (s.opcode && int(*s.opcode) != site.opcode) continue;
        if (extra && !extra(s)) continue;
        const uint64_t nth = e.st.matched++;
        if (s.after && nth < *s.after) continue;
        if (s.at_ns && site.now_ns < *s.at_ns) continue;
        if (s.prob && uniform(e) >= *s.prob) continue;
        ++e.st.injected;
        FiredFault f{e.st.id, s, e.rng()};
        if (!live(e)) recount();
        return f;
    }
    return std::nullopt;
}

std::vector<FiredFault> FaultInjector::due_timed(uint64_t now_ns) {
    std::vector<FiredFault> out;
    for (auto& e : faults_) {
        if (!e.st.spec.timed() || !live(e) || *e.st.spec.at_ns > now_ns) continue;
        ++e.st.matched;
        ++e.st.injected;
        e.exhausted = true;  // a point in time happens once
        out.push_back({e.st.id, e.st.spec, e.rng()});
    }
    return out;
}

std::optional<uint64_t> FaultInjector::next_timed() const {
    std::optional<uint64_t> t;
    for (const auto& e : faults_)
        if (e.st.spec.timed() && live(e) && (!t || *e.st.spec.at_ns < *t)) t = *e.st.spec.at_ns;
    return t;
}

void FaultInjector::record(const FaultRecord& r) {
    ++counts_[static_cast<unsigned>(r.cls)];
    if (log_.size() < kMaxLog)
        log_.push_back(r);
    else
        ++log_dropped_;
}

std::vector<FaultState> FaultInjector::list() const {
    std::vector<FaultState> v;
    for (const auto& e : faults_) v.push_back(e.st);
    return v;
}

}  // namespace cce::model
