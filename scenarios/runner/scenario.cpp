// SPDX-License-Identifier: MIT
// Scenario file parser: yaml-cpp for the syntax, strict validation here.
#include "scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace cce::scenario {

namespace {

class Parser {
public:
    explicit Parser(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const {
        std::ostringstream o;
        o << file_;
        if (n.IsDefined() && n.Mark().line >= 0) o << ":" << n.Mark().line + 1 << ":" << n.Mark().column + 1;
        o << ": " << msg;
        throw Error(o.str());
    }

    // Every key of map n must be in allowed.
    void keys(const YAML::Node& n, const std::string& where, const std::set<std::string>& allowed) const {
        if (!n.IsMap()) fail(n, where + " must be a mapping");
        for (const auto& kv : n) {
            const std::string k = kv.first.as<std::string>();
            if (!allowed.count(k)) {
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                fail(kv.first, "unknown key '" + k + "' in " + where + " (allowed: " + list + ")");
            }
        }
    }

    std::string str(const YAML::Node& n, const std::string& what) const {
        if (!n.IsScalar()) fail(n, what + " must be a string");
        return n.as<std::string>();
    }

    uint64_t uint(const YAML::Node& n, const std::string& what, uint64_t lo, uint64_t hi) const {
        if (!n.IsScalar()) fail(n, what + " must be a number");
        const std::string s = n.as<std::string>();
        if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            fail(n, what + " must be a whole number, not '" + s + "'");
        uint64_t v = 0;
        try {
            v = std::stoull(s);
        } catch (const std::exception&) {
            fail(n, what + " is out of range: " + s);
        }
        if (v < lo || v > hi)
            fail(n, what + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", not " + s);
        return v;
    }

    bool boolean(const YAML::Node& n, const std::string& what) const {
        const std::string s = str(n, what);
        if (s == "true" || s == "yes") return true;
        if (s == "false" || s == "no") return false;
        fail(n, what + " must be true or false, not '" + s + "'");
    }

    std::vector<std::string> strings(const YAML::Node& n, const std::string& what, bool regex) const {
        std::vector<std::string> v;
        if (n.IsScalar()) v.push_back(n.as<std::string>());
        else if (n.IsSequence())
            for (const auto& e : n) v.push_back(str(e, what + " entry"));
        else fail(n, what + " must be a string or a list of strings");
        if (regex)
            for (const auto& r : v) {
                try {
                    std::regex re(r, std::regex::extended);
                } catch (const std::regex_error& e) {
                    fail(n, what + ": bad regular expression '" + r + "': " + e.what());
                }
            }
        return v;
    }

    Scenario parse(const YAML::Node& root) {
        Scenario s;
        s.file = file_;
        if (!root.IsDefined() || root.IsNull()) fail(root, "empty scenario file");
        keys(root, "the scenario", {"name", "description", "vm", "device", "faults", "fault_seed", "workload", "expect"});
        if (!root["name"]) fail(root, "missing required key 'name'");
        s.name = str(root["name"], "name");
        static const std::regex name_re("[a-z0-9][a-z0-9_-]*");
        if (!std::regex_match(s.name, name_re))
            fail(root["name"], "name must match [a-z0-9][a-z0-9_-]* (it names the result directory)");
        if (root["description"]) s.description = str(root["description"], "description");
        if (const auto vm = root["vm"]) parse_vm(vm, s.vm);
        if (const auto d = root["device"]) parse_device(d, s.device);
        if (const auto seed = root["fault_seed"]) s.fault_seed = uint(seed, "fault_seed", 0, UINT64_MAX);
        if (const auto f = root["faults"]) {
            if (!f.IsSequence()) fail(f, "faults must be a list of mappings");
            for (const auto& e : f) s.faults.push_back(parse_fault(e));
        }
        if (!root["workload"]) fail(root, "missing required key 'workload'");
        const auto w = root["workload"];
        if (!w.IsSequence() || w.size() == 0) fail(w, "workload must be a non-empty list of steps");
        for (const auto& e : w) s.workload.push_back(parse_step(e, s.workload.size()));
        if (const auto e = root["expect"]) parse_expect(e, s.expect);
        if (s.vm.devices == 0 && (!s.faults.empty() || !s.expect.stats.empty()))
            fail(root, "faults and expect.stats need at least one device");
        return s;
    }

    void parse_vm(const YAML::Node& n, VmShape& vm) {
        keys(n, "vm", {"memory", "vcpus", "devices", "iommu", "timeout"});
        if (n["memory"]) {
            vm.memory = str(n["memory"], "vm.memory");
            static const std::regex mem_re("[1-9][0-9]*[MG]");
            if (!std::regex_match(vm.memory, mem_re)) fail(n["memory"], "vm.memory must look like 512M or 2G");
        }
        if (n["vcpus"]) vm.vcpus = unsigned(uint(n["vcpus"], "vm.vcpus", 1, 8));
        if (n["devices"]) vm.devices = unsigned(uint(n["devices"], "vm.devices", 0, 8));
        if (n["iommu"]) {
            const std::string m = str(n["iommu"], "vm.iommu");
            if (m != "sva" && m != "none") fail(n["iommu"], "vm.iommu must be sva or none, not '" + m + "'");
            vm.iommu = m == "sva";
        }
        if (n["timeout"]) vm.timeout_s = unsigned(uint(n["timeout"], "vm.timeout", 10, 24 * 3600));
    }

    void parse_device(const YAML::Node& n, DeviceOptions& d) {
        keys(n, "device", {"queues", "kernel_queues", "clock_mhz", "datapath", "model_args"});
        if (n["queues"]) d.queues = unsigned(uint(n["queues"], "device.queues", 1, 64));
        if (n["kernel_queues"])
            d.kernel_queues = unsigned(uint(n["kernel_queues"], "device.kernel_queues", 0, 32));
        if (n["clock_mhz"]) d.clock_mhz = unsigned(uint(n["clock_mhz"], "device.clock_mhz", 1, 100000));
        if (n["datapath"]) {
            d.datapath = str(n["datapath"], "device.datapath");
            static const std::regex dp_re("reference|rtl|((crc|aes|sha|lz77)(,(crc|aes|sha|lz77))*)");
            if (!std::regex_match(d.datapath, dp_re))
                fail(n["datapath"], "device.datapath must be reference, rtl or a list of crc,aes,sha,lz77");
        }
        if (n["model_args"]) d.model_args = strings(n["model_args"], "device.model_args", false);
    }

    Fault parse_fault(const YAML::Node& n) {
        if (!n.IsMap()) fail(n, "each fault must be a mapping (class: ..., queue: ..., ...)");
        if (!n["class"]) fail(n, "fault without 'class'");
        Fault f;
        for (const auto& kv : n) {
            const std::string k = kv.first.as<std::string>();
            static const std::regex key_re("[a-z_][a-z0-9_]*");
            if (!std::regex_match(k, key_re)) fail(kv.first, "bad fault key '" + k + "'");
            const std::string v = str(kv.second, "fault " + k);
            if (v.empty() || v.find_first_of(" \t\n='\"") != std::string::npos)
                fail(kv.second, "fault value for '" + k + "' must be one word without quotes or '='");
            f.fields.emplace_back(k, v);
        }
        return f;
    }

    Step parse_step(const YAML::Node& n, size_t index) {
        Step st;
        st.name = "step" + std::to_string(index + 1);
        if (n.IsScalar()) {
            st.run = n.as<std::string>();
            return st;
        }
        keys(n, "workload step", {"name", "run", "expect_exit", "timeout", "background", "output_require",
                                  "output_forbid"});
        if (!n["run"]) fail(n, "workload step without 'run'");
        st.run = str(n["run"], "run");
        if (st.run.empty()) fail(n["run"], "run is empty");
        if (n["name"]) st.name = str(n["name"], "step name");
        if (const auto e = n["expect_exit"]) {
            st.expect_exit.clear();
            if (e.IsScalar() && e.as<std::string>() == "any") {
            } else if (e.IsSequence()) {
                for (const auto& x : e) st.expect_exit.push_back(int(uint(x, "expect_exit", 0, 255)));
            } else {
                st.expect_exit.push_back(int(uint(e, "expect_exit", 0, 255)));
            }
        }
        if (n["timeout"]) st.timeout_s = unsigned(uint(n["timeout"], "step timeout", 1, 24 * 3600));
        if (n["background"]) st.background = boolean(n["background"], "background");
        if (n["output_require"]) st.output_require = strings(n["output_require"], "output_require", true);
        if (n["output_forbid"]) st.output_forbid = strings(n["output_forbid"], "output_forbid", true);
        return st;
    }

    void parse_expect(const YAML::Node& n, Expectations& e) {
        keys(n, "expect", {"dmesg_require", "dmesg_forbid", "allow_oops", "model", "stats"});
        if (n["dmesg_require"]) e.dmesg_require = strings(n["dmesg_require"], "dmesg_require", true);
        if (n["dmesg_forbid"]) e.dmesg_forbid = strings(n["dmesg_forbid"], "dmesg_forbid", true);
        if (n["allow_oops"]) e.allow_oops = boolean(n["allow_oops"], "allow_oops");
        if (n["model"]) {
            const std::string m = str(n["model"], "expect.model");
            if (m != "clean" && m != "crashed") fail(n["model"], "expect.model must be clean or crashed");
            e.model_crash = m == "crashed";
        }
        if (const auto st = n["stats"]) {
            if (!st.IsMap()) fail(st, "expect.stats must map statistic names to bounds like '>= 1'");
            for (const auto& kv : st) {
                const std::string k = kv.first.as<std::string>();
                try {
                    e.stats[k] = parse_bound(str(kv.second, "bound for " + k));
                } catch (const std::invalid_argument& ex) {
                    fail(kv.second, std::string("expect.stats.") + k + ": " + ex.what());
                }
            }
        }
    }

private:
    std::string file_;
};

}  // namespace

std::string Fault::spec() const {
    std::string s;
    for (const auto& [k, v] : fields) s += (s.empty() ? "" : " ") + k + "=" + v;
    return s;
}

bool Bound::holds(uint64_t v) const {
    if (op == ">=") return v >= value;
    if (op == "<=") return v <= value;
    if (op == "==") return v == value;
    if (op == "!=") return v != value;
    if (op == ">") return v > value;
    if (op == "<") return v < value;
    return false;
}

Bound parse_bound(const std::string& s) {
    static const std::regex re(R"(\s*(>=|<=|==|!=|>|<)\s*([0-9]+)\s*)");
    std::smatch m;
    if (!std::regex_match(s, m, re)) throw std::invalid_argument("bound must be 'OP N' with OP one of >= <= == != > <, not '" + s + "'");
    Bound b;
    b.op = m[1];
    try {
        b.value = std::stoull(m[2]);
    } catch (const std::exception&) {
        throw std::invalid_argument("number out of range in '" + s + "'");
    }
    return b;
}

Scenario parse_text(const std::string& text, const std::string& name_for_errors) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error(name_for_errors + ":" + std::to_string(e.mark.line + 1) + ":" +
                    std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
    }
    try {
        return Parser(name_for_errors).parse(root);
    } catch (const YAML::Exception& e) {
        throw Error(name_for_errors + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
}

Scenario parse_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw Error(path + ": cannot open");
    std::ostringstream o;
    o << f.rdbuf();
    return parse_text(o.str(), path);
}

}  // namespace cce::scenario
