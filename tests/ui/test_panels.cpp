// Tests of the side panels: lesson tree model and browser, parameters, summary, listing and notes.
#include "charts/stage_chart.h"
#include "panels/lesson_browser.h"
#include "panels/lesson_tree_model.h"
#include "panels/listing_panel.h"
#include "panels/notes_panel.h"
#include "panels/parameter_panel.h"
#include "panels/summary_panel.h"
#include "panels/sweep_dialog.h"

#include "scenario/lesson_loader.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeView>

#include <gtest/gtest.h>

namespace interleave::ui {
namespace {

const std::vector<core::Scenario>& builtinLessons() {
    static const std::vector<core::Scenario> lessons = core::loadLessonDirectory(core::builtinLessonDirectory());
    return lessons;
}

const core::Scenario& builtinLesson(const std::string& id) {
    for (const auto& lesson : builtinLessons()) {
        if (lesson.id == id) {
            return lesson;
        }
    }
    throw std::runtime_error("no built-in lesson " + id);
}

core::ParameterDecl parameter(const std::string& name, double minimum, double maximum, double defaultValue,
                              bool integer, const std::string& unit = {}) {
    core::ParameterDecl decl;
    decl.name = name;
    decl.label = name + " label";
    decl.unit = unit;
    decl.description = name + " description";
    decl.minimum = minimum;
    decl.maximum = maximum;
    decl.defaultValue = defaultValue;
    decl.integer = integer;
    return decl;
}

core::Scenario extraLesson(const std::string& id, int number, const std::string& topic) {
    core::Scenario lesson;
    lesson.id = id;
    lesson.number = number;
    lesson.title = "Title of " + id;
    lesson.topic = topic;
    lesson.summary = "Summary of " + id;
    return lesson;
}

TEST(LessonTreeModel, PassesModelTesterWithBuiltinLessons) {
    LessonTreeModel model(builtinLessons());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_GT(model.rowCount(), 0);

    int lessonCount = 0;
    int previousNumber = 0;
    for (int topic = 0; topic < model.rowCount(); ++topic) {
        const QModelIndex topicIndex = model.index(topic, 0);
        EXPECT_FALSE(topicIndex.data().toString().isEmpty());
        EXPECT_FALSE(topicIndex.data(LessonTreeModel::LessonIdRole).isValid());
        ASSERT_GT(model.rowCount(topicIndex), 0);
        // Topics come in order of their first lesson.
        const int firstNumber = model.lessonAt(model.index(0, 0, topicIndex))->number;
        EXPECT_GT(firstNumber, previousNumber);
        previousNumber = firstNumber;
        lessonCount += model.rowCount(topicIndex);
    }
    EXPECT_EQ(lessonCount, static_cast<int>(builtinLessons().size()));

    // Mutations are checked by the tester as they happen.
    model.addLesson(extraLesson("custom", 42, "my own"));
    model.addLesson(extraLesson("early", 0, "asyncio"));
    model.addLesson(extraLesson("custom", 43, "renamed topic"));
    EXPECT_EQ(model.lesson(QStringLiteral("custom"))->number, 43);
    model.setLessons(builtinLessons());
}

TEST(LessonTreeModel, FindsLessonsById) {
    LessonTreeModel model(builtinLessons());
    const QModelIndex gather = model.indexForLesson(QStringLiteral("gather"));
    ASSERT_TRUE(gather.isValid());
    EXPECT_EQ(gather.data().toString(), QStringLiteral("L2  Await in a loop vs gather"));
    EXPECT_EQ(gather.data(Qt::ToolTipRole).toString(), QString::fromStdString(builtinLesson("gather").summary));
    EXPECT_EQ(gather.data(LessonTreeModel::LessonIdRole).toString(), QStringLiteral("gather"));
    EXPECT_EQ(gather.parent().data().toString(), QStringLiteral("asyncio"));
    EXPECT_FALSE(model.indexForLesson(QStringLiteral("no-such-lesson")).isValid());

    for (const auto& lesson : builtinLessons()) {
        const QString id = QString::fromStdString(lesson.id);
        EXPECT_EQ(model.indexForLesson(id).data(LessonTreeModel::LessonIdRole).toString(), id);
    }
}

TEST(LessonTreeModel, AddLessonKeepsTopicSortedByNumber) {
    LessonTreeModel model({extraLesson("a", 1, "t1"), extraLesson("c", 3, "t1"), extraLesson("x", 5, "t2")});
    model.addLesson(extraLesson("b", 2, "t1"));
    model.addLesson(extraLesson("new", 4, "t3"));
    const QModelIndex t1 = model.index(0, 0);
    ASSERT_EQ(model.rowCount(t1), 3);
    EXPECT_EQ(model.index(1, 0, t1).data(LessonTreeModel::LessonIdRole).toString(), QStringLiteral("b"));
    ASSERT_EQ(model.rowCount(), 3);
    EXPECT_EQ(model.index(1, 0).data().toString(), QStringLiteral("t3")); // first lesson 4 sits between 1 and 5
    EXPECT_EQ(model.index(2, 0).data().toString(), QStringLiteral("t2"));
}

TEST(LessonBrowser, FiltersRecursivelyAndEmitsActivation) {
    LessonBrowser browser;
    browser.setLessons(builtinLessons());
    QSignalSpy activated(&browser, &LessonBrowser::lessonActivated);

    browser.filterEdit()->setText(QStringLiteral("gather"));
    const QAbstractItemModel* proxy = browser.view()->model();
    ASSERT_EQ(proxy->rowCount(), 1);
    const QModelIndex topic = proxy->index(0, 0);
    ASSERT_EQ(proxy->rowCount(topic), 1);
    const QModelIndex lesson = proxy->index(0, 0, topic);
    EXPECT_EQ(lesson.data(LessonTreeModel::LessonIdRole).toString(), QStringLiteral("gather"));

    browser.view()->setCurrentIndex(lesson);
    ASSERT_EQ(activated.count(), 1);
    EXPECT_EQ(activated.at(0).at(0).toString(), QStringLiteral("gather"));

    browser.filterEdit()->clear();
    EXPECT_EQ(proxy->rowCount(), browser.model()->rowCount());

    // Programmatic selection does not emit.
    browser.selectLesson(QString::fromStdString(builtinLessons().front().id));
    EXPECT_EQ(browser.currentLessonId(), QString::fromStdString(builtinLessons().front().id));
    EXPECT_EQ(activated.count(), 1);
}

TEST(ParameterPanel, SpinBoxesHaveTheLessonsRanges) {
    ParameterPanel panel;
    for (const auto& lesson : builtinLessons()) {
        panel.setScenario(lesson);
        for (const auto& decl : lesson.parameters) {
            const QString name = QString::fromStdString(decl.name);
            QAbstractSpinBox* spin = panel.spinBox(name);
            ASSERT_NE(spin, nullptr) << lesson.id << " " << decl.name;
            if (decl.integer) {
                auto* box = qobject_cast<QSpinBox*>(spin);
                ASSERT_NE(box, nullptr);
                EXPECT_EQ(box->minimum(), static_cast<int>(decl.minimum)) << decl.name;
                EXPECT_EQ(box->maximum(), static_cast<int>(decl.maximum)) << decl.name;
            } else {
                auto* box = qobject_cast<QDoubleSpinBox*>(spin);
                ASSERT_NE(box, nullptr);
                EXPECT_DOUBLE_EQ(box->minimum(), decl.minimum) << decl.name;
                EXPECT_DOUBLE_EQ(box->maximum(), decl.maximum) << decl.name;
            }
            EXPECT_EQ(spin->toolTip(), QString::fromStdString(decl.description));
        }
        EXPECT_EQ(panel.values(), lesson.defaults()) << lesson.id;
    }
}

TEST(ParameterPanel, SetValuesClampsAndRoundTrips) {
    core::Scenario lesson = extraLesson("p", 1, "t");
    lesson.parameters = {parameter("requests", 1, 100000, 10, true), parameter("latency", 1, 50, 20, true, "ms"),
                         parameter("probability", 0, 1, 0.25, false)};
    ParameterPanel panel;
    panel.setScenario(lesson);
    QSignalSpy changed(&panel, &ParameterPanel::valuesChanged);
    EXPECT_EQ(qobject_cast<QSpinBox*>(panel.spinBox(QStringLiteral("latency")))->suffix(), QStringLiteral(" ms"));

    core::ParameterValues wanted = {{"requests", 5000}, {"latency", 7}, {"probability", 0.5}};
    panel.setValues(wanted);
    EXPECT_EQ(panel.values(), wanted);
    EXPECT_EQ(changed.count(), 1);

    panel.setValues({{"requests", 1e9}, {"latency", -3}, {"probability", 2}, {"unknown", 1}});
    const core::ParameterValues clamped = panel.values();
    EXPECT_EQ(clamped.at("requests"), 100000);
    EXPECT_EQ(clamped.at("latency"), 1);
    EXPECT_EQ(clamped.at("probability"), 1);
    EXPECT_EQ(clamped.count("unknown"), 0u);
    EXPECT_EQ(changed.count(), 2);

    panel.setValues(clamped); // nothing changes, nothing emitted
    EXPECT_EQ(changed.count(), 2);

    panel.resetToDefaults();
    EXPECT_EQ(panel.values(), lesson.defaults());
    EXPECT_EQ(changed.count(), 3);
}

TEST(ParameterPanel, SliderMovesTheSpinBox) {
    core::Scenario lesson = extraLesson("p", 1, "t");
    lesson.parameters = {parameter("requests", 1, 100000, 10, true), parameter("latency", 1, 50, 20, true),
                         parameter("probability", 0, 1, 0.25, false)};
    ParameterPanel panel;
    panel.setScenario(lesson);
    QSignalSpy changed(&panel, &ParameterPanel::valuesChanged);

    // A small integer range: one slider step per value.
    QSlider* latency = panel.slider(QStringLiteral("latency"));
    EXPECT_EQ(latency->value(), 20);
    latency->setValue(33);
    EXPECT_EQ(panel.values().at("latency"), 33);
    EXPECT_EQ(changed.count(), 1);

    // A huge range: logarithmic, both ends reachable and the middle far below the linear midpoint.
    QSlider* requests = panel.slider(QStringLiteral("requests"));
    requests->setValue(requests->maximum());
    EXPECT_EQ(panel.values().at("requests"), 100000);
    requests->setValue(requests->minimum());
    EXPECT_EQ(panel.values().at("requests"), 1);
    requests->setValue((requests->minimum() + requests->maximum()) / 2);
    const double middle = panel.values().at("requests");
    EXPECT_GT(middle, 100);
    EXPECT_LT(middle, 1000);

    // Typing a value moves the slider to match.
    qobject_cast<QSpinBox*>(panel.spinBox(QStringLiteral("requests")))->setValue(100000);
    EXPECT_EQ(requests->value(), requests->maximum());

    QSlider* probability = panel.slider(QStringLiteral("probability"));
    probability->setValue(probability->maximum());
    EXPECT_DOUBLE_EQ(panel.values().at("probability"), 1.0);
}

core::LessonReport handBuiltReport() {
    core::LessonReport report;
    report.lessonId = "gather";
    core::VariantSummary loop;
    loop.variant = "loop";
    loop.outcome.status = core::RunStatus::Completed;
    loop.makespanMs = 2004.8;
    loop.speedup = 1.0;
    loop.maxLagMs = 0.4;
    loop.peaks = {{"in_flight", 1}};
    core::VariantSummary pool;
    pool.variant = "pool";
    pool.outcome.status = core::RunStatus::Failed;
    pool.outcome.error = "broken process pool: worker 2 was killed by signal 9";
    report.variants = {loop, pool};

    auto expectation = [](const std::string& text, const std::string& variant, core::Verdict verdict,
                          std::optional<double> measured) {
        core::ExpectationResult result;
        result.expectation.text = text;
        result.expectation.variant = variant;
        result.verdict = verdict;
        result.measured = measured;
        result.detail = "detail of " + text;
        return result;
    };
    report.expectations = {expectation("loop takes N times d", "loop", core::Verdict::Pass, 2004.8),
                           expectation("gather is N times faster", "loop", core::Verdict::Fail, 1.0),
                           expectation("pool finishes", "pool", core::Verdict::NotMeasured, std::nullopt)};
    return report;
}

TEST(SummaryPanel, ShowsVerdictMarksVariantsAndErrors) {
    SummaryPanel panel;
    panel.resize(1200, 600); // wide enough for the tables
    panel.setReport(handBuiltReport());
    QTableWidget* expectations = panel.expectationTable();
    ASSERT_EQ(expectations->rowCount(), 3);
    EXPECT_EQ(expectations->item(0, SummaryPanel::MarkColumn)->text(), QStringLiteral("✔"));
    EXPECT_EQ(expectations->item(1, SummaryPanel::MarkColumn)->text(), QStringLiteral("✘"));
    EXPECT_EQ(expectations->item(2, SummaryPanel::MarkColumn)->text(), QStringLiteral("–"));
    const QColor pass = expectations->item(0, SummaryPanel::MarkColumn)->foreground().color();
    const QColor fail = expectations->item(1, SummaryPanel::MarkColumn)->foreground().color();
    EXPECT_GT(pass.green(), pass.red());
    EXPECT_GT(fail.red(), fail.green());
    EXPECT_EQ(expectations->item(1, SummaryPanel::TextColumn)->text(), QStringLiteral("gather is N times faster"));
    EXPECT_EQ(expectations->item(0, SummaryPanel::MeasuredColumn)->text(), QStringLiteral("2004.8"));
    EXPECT_EQ(expectations->item(2, SummaryPanel::MeasuredColumn)->text(), QStringLiteral("–"));
    EXPECT_EQ(expectations->item(2, SummaryPanel::VariantColumn)->text(), QStringLiteral("pool"));

    QTableWidget* variants = panel.variantTable();
    ASSERT_EQ(variants->rowCount(), 2);
    EXPECT_EQ(variants->item(0, 0)->text(), QStringLiteral("loop"));
    EXPECT_EQ(variants->item(0, 1)->text(), QStringLiteral("2004.8"));
    EXPECT_EQ(variants->item(0, 4)->text(), QStringLiteral("Tasks in flight 1")); // in words
    EXPECT_EQ(variants->item(0, 4)->toolTip(), QStringLiteral("in_flight 1"));    // the counter's own name
    EXPECT_EQ(variants->item(1, 0)->text(), QStringLiteral("pool (failed)"));     // a run that did not complete says so
    EXPECT_FALSE(panel.errorLabel()->isHidden());
    EXPECT_TRUE(panel.errorLabel()->text().contains(QStringLiteral("broken process pool")));

    panel.setMessage(QStringLiteral("Running gather…"));
    EXPECT_FALSE(panel.messageLabel()->isHidden());
    EXPECT_EQ(panel.messageLabel()->text(), QStringLiteral("Running gather…"));

    panel.clear();
    EXPECT_EQ(expectations->rowCount(), 0);
    EXPECT_EQ(variants->rowCount(), 0);
    EXPECT_TRUE(panel.errorLabel()->isHidden());
    EXPECT_TRUE(panel.messageLabel()->isHidden());
    panel.setPresenterMode(true); // must not throw away content or crash on an empty report
}

TEST(SummaryPanel, PeaksAreInWordsAndKeepTwoPrimitivesOfOneKindApart) {
    EXPECT_EQ(SummaryPanel::counterInWords(QStringLiteral("items.depth")), QStringLiteral("Items in the queue"));
    EXPECT_EQ(SummaryPanel::counterInWords(QStringLiteral("items.putters")),
              QStringLiteral("Producers blocked on put"));
    EXPECT_EQ(SummaryPanel::counterInWords(QStringLiteral("db.waiters")), QStringLiteral("Tasks waiting on db"));
    EXPECT_EQ(SummaryPanel::counterInWords(QStringLiteral("my_counter")), QStringLiteral("my_counter"));

    core::LessonReport report = handBuiltReport();
    report.variants.front().peaks = {{"db.in_use", 3}, {"api.in_use", 5}, {"in_flight", 8}};
    SummaryPanel panel;
    panel.resize(1200, 600);
    panel.setReport(report);
    EXPECT_EQ(panel.variantTable()->item(0, 4)->text(),
              QStringLiteral("Semaphore permits in use · api 5, Semaphore permits in use · db 3, Tasks in flight 8"));
}

TEST(SummaryPanel, ANarrowPanelWrapsEveryVariantAndExpectationAsText) {
    SummaryPanel panel;
    panel.resize(1200, 600);
    panel.show();
    panel.setReport(handBuiltReport());
    EXPECT_FALSE(panel.isCompact());

    panel.resize(300, 600); // a small screen's side dock
    QCoreApplication::processEvents();
    ASSERT_TRUE(panel.isCompact());
    EXPECT_FALSE(panel.variantTable()->isVisible());
    const QString text = panel.compactText()->text();
    for (const char* shown :
         {"loop", "2004.8 ms", "pool (failed)", "Tasks in flight 1", "loop takes N times d", "gather is N times faster",
          "pool finishes", "detail of pool finishes", "1 of 3 expectations met"}) {
        EXPECT_TRUE(text.contains(QString::fromUtf8(shown))) << shown;
    }
    EXPECT_TRUE(panel.compactText()->isVisible());

    panel.setPresenterMode(true); // large type that must still fit: it shrinks to show everything, down to a floor
    QCoreApplication::processEvents();
    EXPECT_GE(panel.compactText()->font().pointSizeF(), QApplication::font().pointSizeF() * 1.15 - 0.01);

    panel.clear();
    EXPECT_TRUE(panel.compactText()->text().isEmpty());
    panel.resize(1200, 600);
    QCoreApplication::processEvents();
    EXPECT_FALSE(panel.isCompact());
}

// A report whose variants name stages shows where their time went, a bar per variant, in the wide and the compact
// form alike; one without stages shows no chart.
TEST(SummaryPanel, StagesShowWhereEachVariantsTimeWent) {
    core::LessonReport report = handBuiltReport();
    report.variants[0].stages.stages = {{"quote", 300}, {"payment", 150}, {"deliveries", 1000}};
    report.variants[0].stages.outsideMs = 4;
    report.variants[1].stages.stages = {{"quote", 150}, {"routes", 200}};
    SummaryPanel panel;
    panel.resize(1200, 600);
    panel.show();
    panel.setReport(report);
    QCoreApplication::processEvents();
    StageChart* chart = panel.stageChart();
    ASSERT_TRUE(chart->isVisible());
    ASSERT_EQ(chart->rows().size(), 2U);
    EXPECT_EQ(chart->rows()[0].variant, QStringLiteral("loop"));
    EXPECT_EQ(chart->stageNames(),
              (QStringList{QStringLiteral("quote"), QStringLiteral("payment"), QStringLiteral("deliveries"),
                           QStringLiteral("routes")}));            // first seen first
    EXPECT_GT(chart->height(), 3 * chart->fontMetrics().height()); // the title, the legend and both bars

    panel.resize(300, 600);
    QCoreApplication::processEvents();
    ASSERT_TRUE(panel.isCompact());
    EXPECT_TRUE(chart->isVisible());

    panel.setReport(handBuiltReport());
    QCoreApplication::processEvents();
    EXPECT_FALSE(chart->isVisible());
}

TEST(ListingPanel, HighlightLineSelectsTheRightBlock) {
    ListingPanel panel;
    panel.resize(400, 120);
    const core::Scenario& gather = builtinLesson("gather");
    QString text = QString::fromStdString(gather.listingFor(gather.variants.front()));
    for (int extra = 0; extra < 40; ++extra) {
        text += QStringLiteral("\nprint(%1)  # padding").arg(extra);
    }
    panel.setListing(text);
    EXPECT_TRUE(panel.isReadOnly());

    panel.highlightLine(6);
    ASSERT_EQ(panel.extraSelections().size(), 1);
    EXPECT_EQ(panel.extraSelections().front().cursor.blockNumber(), 5);
    EXPECT_EQ(panel.extraSelections().front().cursor.block().text().trimmed(),
              QStringLiteral("await asyncio.sleep(LATENCY_MS / 1000)   # the network round trip"));
    EXPECT_EQ(panel.highlightedLine(), 6);

    const int last = panel.document()->blockCount();
    panel.highlightLine(last);
    EXPECT_EQ(panel.extraSelections().front().cursor.blockNumber(), last - 1);
    EXPECT_EQ(panel.textCursor().blockNumber(), last - 1); // scrolled there

    panel.highlightLine(0);
    EXPECT_TRUE(panel.extraSelections().isEmpty());
    panel.highlightLine(last + 10);
    EXPECT_TRUE(panel.extraSelections().isEmpty());
    EXPECT_GT(panel.gutterWidth(), 0);
    panel.setPresenterMode(true);
}

// The format the highlighter gave the character at `column` of `line` (0-based).
QTextCharFormat formatAt(const ListingPanel& panel, int line, int column) {
    const QTextBlock block = panel.document()->findBlockByNumber(line);
    for (const QTextLayout::FormatRange& range : block.layout()->formats()) {
        if (column >= range.start && column < range.start + range.length) {
            return range.format;
        }
    }
    return {};
}

TEST(PythonHighlighter, ColoursStringsCommentsAndEmphasisesAwait) {
    ListingPanel panel;
    panel.setListing(QStringLiteral("async def f():\n"
                                    "    \"\"\"doc # not a comment\n"
                                    "    still doc\"\"\"\n"
                                    "    await g('#', 42)  # a comment\n"));
    const QTextCharFormat async = formatAt(panel, 0, 0);
    const QTextCharFormat await = formatAt(panel, 3, 4);
    EXPECT_EQ(async.fontWeight(), QFont::Black);
    EXPECT_EQ(await.foreground(), async.foreground());
    const QTextCharFormat docString = formatAt(panel, 1, 12);              // the '#' inside the docstring
    EXPECT_EQ(formatAt(panel, 2, 6).foreground(), docString.foreground()); // continued on the next line
    EXPECT_FALSE(docString.fontItalic());
    const QTextCharFormat comment = formatAt(panel, 3, 24);
    EXPECT_TRUE(comment.fontItalic());
    EXPECT_EQ(formatAt(panel, 3, 13).foreground(), docString.foreground()); // '#' in a one-line string
    EXPECT_NE(formatAt(panel, 3, 17).foreground(), docString.foreground()); // the number 42
}

TEST(NotesPanel, ShowsTitleSummaryAndParagraphs) {
    NotesPanel panel;
    const core::Scenario& gather = builtinLesson("gather");
    panel.setScenario(gather);
    const QString html = NotesPanel::notesHtml(gather);
    EXPECT_TRUE(html.contains(QStringLiteral("Await in a loop vs gather")));
    EXPECT_EQ(html.count(QStringLiteral("<p>")), 1 + 3); // summary + three note paragraphs
    EXPECT_TRUE(panel.toPlainText().contains(QStringLiteral("asyncio.gather")));
}

// Sweep a Parameter…: starts from the lesson's own sweep, refuses a value out of range or a bad list with the reason,
// and suggests values for another parameter.
TEST(SweepDialog, StartsFromTheLessonsSweepAndRefusesBadValues) {
    const core::Scenario scenario = core::findLesson("L15");
    SweepDialog dialog(scenario, "pool");
    auto* values = dialog.findChild<QLineEdit*>();
    auto* parameter = dialog.findChild<QComboBox*>();
    auto* buttons = dialog.findChild<QDialogButtonBox*>();
    ASSERT_NE(values, nullptr);
    ASSERT_NE(parameter, nullptr);
    ASSERT_NE(buttons, nullptr);
    EXPECT_EQ(parameter->currentData().toString(), QStringLiteral("workers"));
    EXPECT_EQ(values->text(), QStringLiteral("1,2,4,8,16,32,64"));
    std::optional<core::SweepDecl> sweep = dialog.sweep();
    ASSERT_TRUE(sweep.has_value());
    EXPECT_EQ(sweep->variant, "pool");
    EXPECT_EQ(sweep->values.size(), 7U);
    EXPECT_TRUE(sweep->theoryMs.has_value()); // the lesson's theory goes with its own parameter
    EXPECT_TRUE(buttons->button(QDialogButtonBox::Ok)->isEnabled());

    values->setText(QStringLiteral("0,4"));
    EXPECT_FALSE(dialog.sweep().has_value());
    EXPECT_FALSE(buttons->button(QDialogButtonBox::Ok)->isEnabled());
    values->setText(QStringLiteral("1,,2"));
    EXPECT_FALSE(buttons->button(QDialogButtonBox::Ok)->isEnabled());

    parameter->setCurrentIndex(parameter->findData(QStringLiteral("call_ms")));
    EXPECT_FALSE(values->text().isEmpty()); // a suggestion within its range
    sweep = dialog.sweep();
    ASSERT_TRUE(sweep.has_value());
    EXPECT_EQ(sweep->parameter, "call_ms");
    EXPECT_FALSE(sweep->theoryMs.has_value()); // the lesson's theory is about workers
    EXPECT_TRUE(buttons->button(QDialogButtonBox::Ok)->isEnabled());
}

} // namespace
} // namespace interleave::ui
