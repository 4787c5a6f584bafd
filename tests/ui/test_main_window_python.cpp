// Run in CPython: a lesson variant and then its listing in real CPython, below it on one axis; and a Python script of
// the user's, opened and run.
#include "app/main_window.h"
#include "metrics/cpython_comparison.h"

#include <QAction>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <fstream>

namespace interleave::ui {
namespace {

std::size_t tasksNamed(const core::VariantRun& run, std::string_view name) {
    const std::uint32_t id = run.trace.strings.find(name);
    return static_cast<std::size_t>(std::count_if(run.analysis.tasks.begin(), run.analysis.tasks.end(),
                                                  [&](const core::TaskRecord& task) { return task.nameId == id; }));
}

TEST(MainWindowPython, RunInCPythonDrawsTheListingBelowTheVariant) {
    AppOptions options;
    options.lesson = QStringLiteral("L2");
    options.variants = {QStringLiteral("gather")};
    options.settings = {{"requests", "4"}, {"latency_ms", "60"}};
    options.run = true;
    options.python = true;
    MainWindow window(options);
    window.resize(1366, 768);
    window.show();
    window.startFromOptions();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 60'000));
    const auto& slots = window.controller().slots();
    ASSERT_EQ(slots.size(), 2U);
    EXPECT_EQ(slots[0]->name.toStdString(), "gather");
    EXPECT_EQ(slots[1]->name.toStdString(), core::cpythonVariantName("gather"));
    const core::VariantRun& python = slots[1]->result;
    ASSERT_EQ(python.outcome.status, core::RunStatus::Completed) << python.outcome.error;
    EXPECT_EQ(tasksNamed(python, "fetch"), 4U);
    EXPECT_EQ(tasksNamed(slots[0]->result, "fetch"), 4U);
    // The same shape in both: four requests of 60 ms at once.
    EXPECT_NEAR(static_cast<double>(python.analysis.makespanNs) / 1e6,
                static_cast<double>(slots[0]->result.analysis.makespanNs) / 1e6, 40);
}

TEST(MainWindowPython, AScriptIsOpenedNotRunAndRunsWhenAsked) {
    QTemporaryDir dir;
    const QString script = dir.filePath(QStringLiteral("mine.py"));
    std::ofstream(script.toStdString()) << "import asyncio\n"
                                           "async def job(i):\n"
                                           "    await asyncio.sleep(0.03)\n"
                                           "async def main():\n"
                                           "    await asyncio.gather(*(job(i) for i in range(3)))\n"
                                           "asyncio.run(main())\n";
    AppOptions options;
    options.openPath = script;
    MainWindow window(options);
    window.show();
    window.startFromOptions();
    QTest::qWait(300);
    EXPECT_FALSE(window.controller().isRunning()) << "a script must not run on its own";
    EXPECT_TRUE(window.controller().slots().empty());
    // Run, with the question about running its code answered (the answer is kept for the file).
    QSettings().setValue(QStringLiteral("python/trusted"), QStringList{script});
    window.findChild<QAction*>(QStringLiteral("runAction"))->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 60'000));
    ASSERT_EQ(window.controller().slots().size(), 1U);
    const core::VariantRun& run = window.controller().slots()[0]->result;
    ASSERT_EQ(run.outcome.status, core::RunStatus::Completed) << run.outcome.error;
    EXPECT_EQ(tasksNamed(run, "job"), 3U);
}

} // namespace
} // namespace interleave::ui
