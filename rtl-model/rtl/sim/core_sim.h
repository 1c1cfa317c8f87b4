// SPDX-License-Identifier: MIT
// Private: clocking, cycle counting and VCD tracing shared by the runners.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "verilated.h"
#include "verilated_vcd_c.h"

namespace cce::rtl {

class CoreSim {
public:
    virtual ~CoreSim() { close_trace(); }

    uint64_t cycle = 0;  // clocks driven since construction

    void set_trace(const std::string& path, uint64_t from, uint64_t to) {
        close_trace();
        trace_path_ = path;
        trace_from_ = from;
        trace_to_ = to;
        tracing_wanted_ = !path.empty() && to > from;
    }

protected:
    CoreSim() : ctx_(std::make_unique<VerilatedContext>()) { ctx_->traceEverOn(true); }

    // Called by the derived tick() around the two evals of each clock.
    void trace_dump(uint64_t half) {
        if (!tracing_wanted_) return;  // the only cost when tracing is off
        if (cycle >= trace_from_ && cycle < trace_to_) {
            if (!vcd_) {
                vcd_ = std::make_unique<VerilatedVcdC>();
                attach(vcd_.get());
                vcd_->open(trace_path_.c_str());
            }
            vcd_->dump(2 * cycle + half);
        } else if (vcd_ && cycle >= trace_to_) {
            close_trace();
            tracing_wanted_ = false;
        }
    }
    virtual void attach(VerilatedVcdC* vcd) = 0;

    void close_trace() {
        if (vcd_) {
            vcd_->close();
            vcd_.reset();
        }
    }

    std::unique_ptr<VerilatedContext> ctx_;

private:
    std::unique_ptr<VerilatedVcdC> vcd_;
    std::string trace_path_;
    uint64_t trace_from_ = 0, trace_to_ = 0;
    bool tracing_wanted_ = false;
};

// Model M with ports clk and rst. tick(): the caller has set the inputs;
// settle the combinational logic at clk low (the caller reads ready/valid
// after settle()), then the rising edge.
template <class M>
class Sim : public CoreSim {
public:
    Sim() : m(std::make_unique<M>(ctx_.get(), "top")) {
        m->clk = 0;
        m->rst = 1;
        for (int i = 0; i < 2; ++i) {
            settle();
            edge();
        }
        m->rst = 0;
        settle();
    }
    ~Sim() override {
        close_trace();
        m->final();
    }
    void settle() {
        m->clk = 0;
        m->eval();
        trace_dump(0);
    }
    void edge() {
        m->clk = 1;
        m->eval();
        trace_dump(1);
        ++cycle;
    }
    std::unique_ptr<M> m;

protected:
    void attach(VerilatedVcdC* vcd) override { m->trace(vcd, 99); }
};

}  // namespace cce::rtl
