// Hand-built plans for runtime tests, so the engine is tested without the lesson loader.
#pragma once

#include "runtime/plan.h"

#include <string>
#include <vector>

namespace interleave::test {

using namespace interleave::core;

inline constexpr std::int64_t kMs = 1'000'000;

inline PlanStep timed(OpKind kind, double ms, std::int32_t line = 0) {
    PlanStep step;
    step.kind = kind;
    step.durationNs = static_cast<std::int64_t>(ms * kMs);
    step.line = line;
    return step;
}
// A test parametrised by model names its cases after it: "OnTheLoop", "OnThreads".
inline std::string modelCaseName(Model model) {
    return model == Model::Async ? "OnTheLoop" : model == Model::Threads ? "OnThreads" : "Sequential";
}

inline PlanStep io(double ms) {
    return timed(OpKind::Io, ms);
}
inline PlanStep block(double ms) {
    return timed(OpKind::Block, ms);
}
inline PlanStep cpu(double ms) {
    return timed(OpKind::Cpu, ms);
}

inline PlanStep onPrimitive(OpKind kind, int primitive) {
    PlanStep step;
    step.kind = kind;
    step.primitive = primitive;
    return step;
}

inline PlanStep withBody(OpKind kind, std::vector<PlanStep> body, std::int64_t count = 0) {
    PlanStep step;
    step.kind = kind;
    step.body = std::move(body);
    step.count = count;
    return step;
}

class PlanBuilder {
public:
    explicit PlanBuilder(Model model) { m_plan.model = model; }
    PlanBuilder& threads(int count, bool gil = false) {
        m_plan.threads = count;
        m_plan.gil = gil;
        return *this;
    }
    PlanBuilder& processes(int count) {
        m_plan.processes = count;
        m_plan.options.workerExecutable = INTERLEAVE_WORKER_PATH;
        return *this;
    }
    int primitive(const std::string& name, PrimitiveKind kind, std::int64_t capacity) {
        m_plan.primitives.push_back(PlanPrimitive{name, kind, capacity, m_plan.strings.intern(name)});
        return static_cast<int>(m_plan.primitives.size() - 1);
    }
    std::uint32_t intern(const std::string& text) { return m_plan.strings.intern(text); }
    // A stage for steps to name (PlanStep::stage), with its counter.
    std::int32_t stage(const std::string& name) {
        m_plan.stages.push_back(PlanStage{name, m_plan.strings.intern(stageCounterName(name))});
        return static_cast<std::int32_t>(m_plan.stages.size() - 1);
    }
    PlanStep fanOut(OpKind kind, const std::string& name, std::int64_t count, std::vector<PlanStep> body,
                    Placement placement = Placement::Default) {
        PlanStep step;
        step.kind = kind;
        step.placement = placement;
        step.children.push_back(PlanChild{m_plan.strings.intern(name), count, std::move(body)});
        return step;
    }
    PlanStep offload(Placement placement, std::vector<PlanStep> body) {
        PlanStep step = withBody(OpKind::Offload, std::move(body));
        step.placement = placement;
        return step;
    }
    PlanBuilder& program(std::vector<PlanStep> steps) {
        m_plan.program = std::move(steps);
        return *this;
    }
    PlanBuilder& heartbeatMs(double ms) {
        m_plan.heartbeatNs = static_cast<std::int64_t>(ms * kMs);
        return *this;
    }
    PlanBuilder& seed(std::uint64_t value) {
        m_plan.options.seed = value;
        return *this;
    }
    Plan build() const { return m_plan; }

private:
    Plan m_plan;
};

} // namespace interleave::test
