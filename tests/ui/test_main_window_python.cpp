// Run in CPython: a lesson variant and then its listing in real CPython, below it on one axis; and a Python script of
// the user's, opened and run.
#include "app/main_window.h"
#include "metrics/cpython_comparison.h"
#include "panels/summary_panel.h"

#include <QAction>
#include <QSettings>
#include <QTableWidget>
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
    // The summary sets CPython against the engine: its row says by how much, in %, and its tooltip says all of it.
    const QTableWidget* table = window.findChild<SummaryPanel*>()->variantTable();
    ASSERT_EQ(table->columnCount(), SummaryPanel::kCpythonColumn + 1);
    ASSERT_EQ(table->rowCount(), 2);
    EXPECT_EQ(table->item(0, SummaryPanel::kCpythonColumn)->text(), QStringLiteral("–"));
    const QTableWidgetItem* off = table->item(1, SummaryPanel::kCpythonColumn);
    EXPECT_TRUE(off->text().contains(QLatin1Char('%'))) << off->text().toStdString();
    EXPECT_TRUE(off->toolTip().contains(QStringLiteral("against the engine's"))) << off->toolTip().toStdString();
    EXPECT_TRUE(off->toolTip().contains(QStringLiteral("Tasks in flight 4 against 4"))) << off->toolTip().toStdString();
}

TEST(MainWindowPython, RunAllVariantsRunsEachInCPythonTooWhenAsked) {
    struct Forget { // the setting is kept: the other tests' windows must not start with it
        ~Forget() { QSettings().remove(QStringLiteral("run/compareWithCpython")); }
    } forget;
    AppOptions options;
    options.lesson = QStringLiteral("L2");
    options.settings = {{"requests", "3"}, {"latency_ms", "40"}};
    MainWindow window(options);
    window.show();
    window.startFromOptions();
    auto* compare = window.findChild<QAction*>(QStringLiteral("compareCpythonAction"));
    ASSERT_NE(compare, nullptr);
    ASSERT_TRUE(compare->isEnabled());
    compare->setChecked(true);
    window.findChild<QAction*>(QStringLiteral("runAllAction"))->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 60'000));
    std::vector<std::string> names;
    for (const auto& slot : window.controller().slots()) {
        names.push_back(slot->name.toStdString());
        EXPECT_EQ(slot->result.outcome.status, core::RunStatus::Completed) << slot->result.outcome.error;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"loop", core::cpythonVariantName("loop"), "gather",
                                               core::cpythonVariantName("gather")}));
    // Unchecked (kept in the settings), Run All Variants runs the engine's alone.
    compare->setChecked(false);
    window.findChild<QAction*>(QStringLiteral("runAllAction"))->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 60'000));
    EXPECT_EQ(window.controller().slots().size(), 2U);
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
