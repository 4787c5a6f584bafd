// Timeline repaint cost: 1,000,000 spans over 100 lanes painted at 1920x1080 into a QImage, zoomed out and in; and
// the same timeline exported as a 1600x900 SVG and PDF figure (target: 5 s each).
#ifdef INTERLEAVE_BENCH_UI

#include "export/figure_export.h"
#include "timeline/timeline_view.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <random>

namespace {

using interleave::core::Event;
using interleave::core::EventKind;
using interleave::core::TaskState;

constexpr int kLanes = 100;
constexpr int kSpansPerLane = 10'000;
constexpr std::int64_t kRunNs = 1'000'000'000; // 1 s: spans of ~100 µs

void ensureApplication() {
    static std::unique_ptr<QApplication> application = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        static int argc = 1;
        static char name[] = "interleave_bench";
        static char* argv[] = {name, nullptr};
        return std::make_unique<QApplication>(argc, argv);
    }();
}

struct Fixture {
    interleave::core::Trace trace;
    std::shared_ptr<interleave::ui::TimelineData> data = std::make_shared<interleave::ui::TimelineData>();

    Fixture() {
        trace.addLane("event loop", interleave::core::LaneKind::Loop);
        const std::uint32_t name = trace.strings.intern("request");
        const std::uint32_t sem = trace.strings.intern("sem");
        std::mt19937 random(42);
        std::uniform_int_distribution<int> jitter(-40, 40);
        constexpr std::int64_t step = kRunNs / kSpansPerLane;
        trace.events.reserve(static_cast<std::size_t>(kLanes) * (kSpansPerLane + 2));
        for (std::uint32_t task = 0; task < kLanes; ++task) {
            trace.events.push_back(Event{0, task, 0, EventKind::TaskCreated, 0, name, static_cast<std::int32_t>(task)});
        }
        const TaskState states[] = {TaskState::Running, TaskState::WaitingIo, TaskState::Blocked, TaskState::Ready};
        for (int index = 0; index < kSpansPerLane; ++index) {
            for (std::uint32_t task = 0; task < kLanes; ++task) {
                const TaskState state = states[(index + static_cast<int>(task)) % 4];
                const std::int64_t time = index * step + (index > 0 ? jitter(random) * step / 100 : 0);
                trace.events.push_back(Event{time, task, 0, EventKind::TaskState, static_cast<std::uint8_t>(state),
                                             state == TaskState::Blocked ? sem : 0, 3});
            }
        }
        for (std::uint32_t task = 0; task < kLanes; ++task) {
            trace.events.push_back(
                Event{kRunNs, task, 0, EventKind::TaskState, static_cast<std::uint8_t>(TaskState::Done), 0, 0});
        }
        std::stable_sort(trace.events.begin(), trace.events.end(),
                         [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
        trace.endNs = kRunNs;
        data->rebuild(trace);
    }
};

Fixture& fixture() {
    static Fixture instance;
    return instance;
}

// range(0): the visible share of the run in per mille (1000 = zoomed out, 10 = 1 %).
void BM_TimelineRepaint(benchmark::State& state) {
    ensureApplication();
    Fixture& data = fixture();
    interleave::ui::TimelineView view;
    view.resize(1920, 1080);
    view.setVariants({data.data}, {QStringLiteral("gather · 1000 ms")});
    const std::int64_t visible = kRunNs * state.range(0) / 1000;
    if (visible < kRunNs) {
        view.setVisibleRange(kRunNs / 2, kRunNs / 2 + visible);
    }
    QImage image(1920, 1080, QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        view.renderTo(image, image.size());
        benchmark::DoNotOptimize(image.constBits());
    }
    // INTERLEAVE_BENCH_SAVE_DIR=/tmp keeps the last frame, to check by eye what was measured.
    if (const QString dir = qEnvironmentVariable("INTERLEAVE_BENCH_SAVE_DIR"); !dir.isEmpty()) {
        image.save(QStringLiteral("%1/timeline_%2.png").arg(dir).arg(state.range(0)));
    }
    state.counters["spans"] = static_cast<double>(data.data->spanCount());
}
BENCHMARK(BM_TimelineRepaint)
    ->Arg(1000)
    ->Arg(10)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_TimelineRebuild(benchmark::State& state) {
    Fixture& data = fixture();
    for (auto _ : state) {
        interleave::ui::TimelineData rebuilt;
        rebuilt.rebuild(data.trace);
        benchmark::DoNotOptimize(rebuilt.spanCount());
    }
}
BENCHMARK(BM_TimelineRebuild)->Unit(benchmark::kMillisecond)->Iterations(3);

// The whole 1M-span run as a figure file (timeline and its two charts), written through QSaveFile as the app does.
// INTERLEAVE_BENCH_SAVE_DIR keeps the file (e.g. to open the SVG in a browser); otherwise it goes to the temp dir.
void exportFigureBenchmark(benchmark::State& state, const char* extension) {
    ensureApplication();
    Fixture& data = fixture();
    interleave::ui::FigureRequest request;
    request.title = QStringLiteral("1,000,000 spans over 100 lanes");
    request.subtitle = QStringLiteral("synthetic run of 1 s (bench_timeline.cpp)");
    request.variants = {data.data};
    request.labels = {QStringLiteral("gather · 1000.0 ms")};
    request.variantNames = {QStringLiteral("gather")};
    QString dir = qEnvironmentVariable("INTERLEAVE_BENCH_SAVE_DIR");
    if (dir.isEmpty()) {
        dir = QDir::tempPath();
    }
    const QString path = QStringLiteral("%1/export_1m.%2").arg(dir, QLatin1String(extension));
    for (auto _ : state) {
        const QString error = interleave::ui::exportFigure(request, path);
        if (!error.isEmpty()) {
            state.SkipWithError(error.toStdString().c_str());
            return;
        }
    }
    state.counters["spans"] = static_cast<double>(data.data->spanCount());
    state.counters["MB"] = static_cast<double>(QFileInfo(path).size()) / 1e6;
    if (qEnvironmentVariable("INTERLEAVE_BENCH_SAVE_DIR").isEmpty()) {
        QFile::remove(path);
    }
}

void BM_ExportFigureSvg1M(benchmark::State& state) {
    exportFigureBenchmark(state, "svg");
}
BENCHMARK(BM_ExportFigureSvg1M)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ExportFigurePdf1M(benchmark::State& state) {
    exportFigureBenchmark(state, "pdf");
}
BENCHMARK(BM_ExportFigurePdf1M)->Unit(benchmark::kMillisecond)->Iterations(3);

} // namespace

#endif // INTERLEAVE_BENCH_UI
