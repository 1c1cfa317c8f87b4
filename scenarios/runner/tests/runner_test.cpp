// SPDX-License-Identifier: MIT
// Scenario runner without a VM: parsing and validation, the generated guest
// script and vm.sh arguments, the checks on recorded evidence, JUnit.
#include <gtest/gtest.h>

#include <filesystem>

#include "run.h"
#include "scenario.h"

using namespace cce::scenario;

namespace {

const char* kGood = R"(
name: demo-1
description: a test
vm: {memory: 2G, vcpus: 2, devices: 1, iommu: sva, timeout: 120}
device: {queues: 8, clock_mhz: 500, datapath: rtl}
fault_seed: 42
faults:
  - {class: bitflip, queue: 0, after: 10}
  - {class: ue, at_ns: 5000}
workload:
  - name: load
    run: cce-stress --procs 2 --seconds 5
    expect_exit: [0, 3]
    output_require: "STRESS: jobs=[0-9]+"
  - run: echo 1 > /sys/bus/pci/devices/0000:01:00.0/reset
    background: true
    timeout: 30
  - echo done
expect:
  dmesg_require: ["cce .*probe"]
  dmesg_forbid: "DMAR: \\[DMA"
  stats: {jobs: ">= 10", page_requests: "== 0"}
)";

std::string error_of(const std::string& text) {
    try {
        parse_text(text, "t.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ScenarioParse, GoodFile) {
    const Scenario s = parse_text(kGood, "t.yaml");
    EXPECT_EQ(s.name, "demo-1");
    EXPECT_EQ(s.vm.memory, "2G");
    EXPECT_EQ(s.device.queues, 8u);
    EXPECT_EQ(s.device.datapath, "rtl");
    ASSERT_TRUE(s.fault_seed.has_value());
    EXPECT_EQ(*s.fault_seed, 42u);
    ASSERT_EQ(s.faults.size(), 2u);
    EXPECT_EQ(s.faults[0].spec(), "class=bitflip queue=0 after=10");
    ASSERT_EQ(s.workload.size(), 3u);
    EXPECT_EQ(s.workload[0].expect_exit, (std::vector<int>{0, 3}));
    EXPECT_TRUE(s.workload[1].background);
    EXPECT_EQ(s.workload[1].timeout_s, 30u);
    EXPECT_EQ(s.workload[2].run, "echo done");
    EXPECT_EQ(s.workload[2].name, "step3");
    EXPECT_EQ(s.expect.stats.at("jobs").text(), ">= 10");
}

TEST(ScenarioParse, ErrorsNameFileLineAndKey) {
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {memroy: 1G}\n").find("t.yaml:3:"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {memroy: 1G}\n").find("unknown key 'memroy' in vm"),
              std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nbogus: 1\n").find("unknown key 'bogus'"), std::string::npos);
    EXPECT_NE(error_of("workload: [ls]\n").find("missing required key 'name'"), std::string::npos);
    EXPECT_NE(error_of("name: x\n").find("missing required key 'workload'"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: []\n").find("non-empty"), std::string::npos);
    EXPECT_NE(error_of("name: X Y\nworkload: [ls]\n").find("name must match"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {vcpus: 99}\n").find("1..8"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {vcpus: two}\n").find("whole number"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {memory: lots}\n").find("512M or 2G"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {iommu: maybe}\n").find("sva or none"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\ndevice: {datapath: gpu}\n").find("datapath"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nfaults: [{queue: 1}]\n").find("without 'class'"),
              std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nfaults: [{class: 'a b'}]\n").find("one word"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [{run: ls, expect_exit: 300}]\n").find("0..255"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [{run: ls, output_require: '(('}]\n").find("bad regular expression"),
              std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nexpect: {stats: {jobs: 'lots'}}\n").find("OP N"),
              std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nexpect: {model: sad}\n").find("clean or crashed"),
              std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls\n").find("YAML syntax error"), std::string::npos);
    EXPECT_NE(error_of("name: x\nworkload: [ls]\nvm: {devices: 0}\nfaults: [{class: ue}]\n").find("at least one device"),
              std::string::npos);
}

TEST(ScenarioParse, RegressionSetFilesAreValid) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(CCE_SCENARIO_DIR)) {
        if (e.path().extension() != ".yaml") continue;
        ++n;
        EXPECT_NO_THROW(parse_file(e.path().string())) << e.path();
    }
    EXPECT_GT(n, 0u);
}

TEST(ScenarioBound, Operators) {
    EXPECT_TRUE(parse_bound(">= 3").holds(3));
    EXPECT_FALSE(parse_bound(">= 3").holds(2));
    EXPECT_TRUE(parse_bound("==0").holds(0));
    EXPECT_TRUE(parse_bound(" < 5 ").holds(4));
    EXPECT_FALSE(parse_bound("!= 7").holds(7));
    EXPECT_THROW(parse_bound("about 3"), std::invalid_argument);
    EXPECT_THROW(parse_bound(">= 99999999999999999999999"), std::invalid_argument);
}

TEST(ScenarioRun, GuestScriptAndVmArguments) {
    const Scenario s = parse_text(kGood, "t.yaml");
    const std::string g = guest_script(s);
    EXPECT_NE(g.find("echo '@@CCE-STEP-BEGIN 0'"), std::string::npos);
    EXPECT_NE(g.find("timeout 30 sh /root/scenario/step1.sh >/tmp/step1.out 2>&1; echo $? >/tmp/step1.rc ) &"),
              std::string::npos);
    EXPECT_NE(g.find("wait\n"), std::string::npos);
    EXPECT_NE(step_script(s.workload[1]).find("echo 1 > /sys/bus/pci/devices/0000:01:00.0/reset"),
              std::string::npos);
    const auto a = vm_arguments(s, "/logs", "/scr");
    auto has = [&a](const std::vector<std::string>& seq) {
        return std::search(a.begin(), a.end(), seq.begin(), seq.end()) != a.end();
    };
    EXPECT_TRUE(has({"--mem", "2G"}));
    EXPECT_TRUE(has({"--queues", "8"}));
    EXPECT_TRUE(has({"--append", "cce.kernel_queues=0"}));
    EXPECT_TRUE(has({"--model-arg", "--fault", "--model-arg", "class=bitflip queue=0 after=10"}));
    EXPECT_TRUE(has({"--model-arg", "--fault-seed", "--model-arg", "42"}));
    EXPECT_TRUE(has({"--model-arg", "--datapath", "--model-arg", "rtl"}));
    EXPECT_TRUE(has({"--put", "/scr/step2.sh:/root/scenario/step2.sh"}));
    EXPECT_EQ(a.back(), "/root/scenario.sh");
}

namespace {
Evidence passing_evidence() {
    Evidence ev;
    ev.vm_status = 0;
    ev.output = "@@CCE-STEP-BEGIN 0\nSTRESS: jobs=100 ok=100\n@@CCE-STEP-EXIT 0 3\n"
                "@@CCE-STEP-BEGIN 2\ndone\n@@CCE-STEP-EXIT 2 0\n"
                "@@CCE-STEP-BEGIN 1\n@@CCE-STEP-EXIT 1 0\n";
    ev.console = "[ 1.0] cce 0000:01:00.0: probe ok\n";
    ev.have_stats = true;
    ev.stats = parse_stats("clean_exit=1\njobs=50\npage_requests=0\n");
    return ev;
}
}  // namespace

TEST(ScenarioCheck, PassesOnGoodEvidence) {
    const Scenario s = parse_text(kGood, "t.yaml");
    const Result r = check(s, passing_evidence());
    EXPECT_TRUE(r.pass) << (r.failures.empty() ? "" : r.failures.front());
    EXPECT_EQ(r.steps[0].exit, 3);
    EXPECT_EQ(r.steps[2].output, "done\n");
}

TEST(ScenarioCheck, EachExpectationCanFail) {
    const Scenario s = parse_text(kGood, "t.yaml");
    auto fails_with = [&](Evidence ev, const std::string& what) {
        const Result r = check(s, ev);
        EXPECT_FALSE(r.pass);
        bool found = false;
        for (const auto& f : r.failures) found |= f.find(what) != std::string::npos;
        EXPECT_TRUE(found) << "no failure mentioning '" << what << "'";
    };
    Evidence ev = passing_evidence();
    ev.vm_status = 126;
    fails_with(ev, "WARNING/BUG/Oops");
    ev = passing_evidence();
    ev.vm_status = 124;
    fails_with(ev, "timeout");
    ev = passing_evidence();
    ev.output = "@@CCE-STEP-BEGIN 0\nSTRESS: jobs=1\n@@CCE-STEP-EXIT 0 4\n@@CCE-STEP-EXIT 1 0\n@@CCE-STEP-EXIT 2 0\n";
    fails_with(ev, "exited with 4");
    ev = passing_evidence();
    ev.output = "@@CCE-STEP-BEGIN 0\nnothing\n@@CCE-STEP-EXIT 0 0\n@@CCE-STEP-EXIT 1 0\n@@CCE-STEP-EXIT 2 0\n";
    fails_with(ev, "output lacks");
    ev = passing_evidence();
    ev.output = "@@CCE-STEP-BEGIN 0\nSTRESS: jobs=1\n@@CCE-STEP-EXIT 0 0\n";
    fails_with(ev, "did not finish");
    ev = passing_evidence();
    ev.console = "nothing\n";
    fails_with(ev, "lacks /cce .*probe/");
    ev = passing_evidence();
    ev.console += "DMAR: [DMA Read] fault\n";
    fails_with(ev, "forbidden");
    ev = passing_evidence();
    ev.stats["jobs"] = 3;
    fails_with(ev, "jobs = 3, expected >= 10");
    ev = passing_evidence();
    ev.stats["clean_exit"] = 0;
    fails_with(ev, "did not end cleanly");
    ev = passing_evidence();
    ev.have_stats = false;
    fails_with(ev, "no model statistics");
}

TEST(ScenarioCheck, ModelCrashExpected) {
    Scenario s = parse_text("name: c\nworkload: [ls]\nexpect: {model: crashed}\n", "c.yaml");
    Evidence ev;
    ev.vm_status = 0;
    ev.output = "@@CCE-STEP-BEGIN 0\n@@CCE-STEP-EXIT 0 0\n";
    EXPECT_TRUE(check(s, ev).pass);
    ev.have_stats = true;
    ev.stats["clean_exit"] = 1;
    EXPECT_FALSE(check(s, ev).pass);
}

TEST(ScenarioJunit, EscapesAndCounts) {
    Result a;
    a.name = "ok";
    a.pass = true;
    a.seconds = 1.5;
    Result b;
    b.name = "bad<1>";
    b.failures = {"x & y \"z\""};
    b.output = std::string("out\x01put");
    const std::string x = junit_xml({a, b}, "scenarios");
    EXPECT_NE(x.find("tests=\"2\" failures=\"1\""), std::string::npos);
    EXPECT_NE(x.find("name=\"bad&lt;1&gt;\""), std::string::npos);
    EXPECT_NE(x.find("x &amp; y &quot;z&quot;"), std::string::npos);
    EXPECT_NE(x.find("out?put"), std::string::npos);
    EXPECT_EQ(x.find('\x01'), std::string::npos);
}

#ifdef CCE_MODEL_BIN
TEST(ScenarioPreflight, TheModelChecksFaultSpecs) {
    const Scenario good = parse_text(kGood, "t.yaml");
    EXPECT_EQ(preflight(good, CCE_MODEL_BIN), "");
    const Scenario bad = parse_text("name: b\nworkload: [ls]\nfaults: [{class: bogus}]\n", "b.yaml");
    const std::string e = preflight(bad, CCE_MODEL_BIN);
    EXPECT_NE(e.find("b.yaml: the model refuses"), std::string::npos) << e;
    EXPECT_NE(e.find("bogus"), std::string::npos) << e;
    const Scenario badq =
        parse_text("name: q\nworkload: [ls]\ndevice: {queues: 2}\nfaults: [{class: hang, queue: 5}]\n", "q.yaml");
    EXPECT_NE(preflight(badq, CCE_MODEL_BIN).find("queues"), std::string::npos);
}
#endif
