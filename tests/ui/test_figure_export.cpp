// Tests of figure export: the SVG parsed back as XML (text stays text, shapes stay shapes, no images), the PNG's size
// and DPI, the PDF's page size, the views, atomic writes, generic counters' charts and the export dialog.
#include "charts/charts_panel.h"
#include "export/export_figure_dialog.h"
#include "export/figure_export.h"
#include "timeline/state_palette.h"
#include "timeline/timeline_data.h"

#include "../core/trace_builder.h"

#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <gtest/gtest.h>

#include <memory>

#include <set>

#include <unistd.h>

namespace interleave::ui {
namespace {

using core::TaskState;
using core::testing::ms;
using core::testing::TraceBuilder;

// Eight tasks waiting on I/O then running, with a semaphore's counters: lanes, folds and two charts.
core::Trace sampleTrace(double scale) {
    TraceBuilder builder;
    builder.lane("event loop");
    for (std::uint32_t task = 0; task < 8; ++task) {
        const double start = task * 2.0 * scale;
        builder.task(ms(start), task, "request", static_cast<std::int32_t>(task))
            .state(ms(start), task, TaskState::Ready)
            .state(ms(start + 1 * scale), task, TaskState::WaitingIo)
            .state(ms(start + 20 * scale), task, TaskState::Running)
            .state(ms(start + 25 * scale), task, TaskState::Done);
        builder.counter(ms(start), "sem.in_use", static_cast<std::int32_t>(std::min(task + 1, 4U)))
            .counter(ms(start), "in_flight", static_cast<std::int32_t>(task + 1));
    }
    return builder.finish(ms(45 * scale));
}

struct Sample {
    core::Trace slowTrace = sampleTrace(4);
    core::Trace fastTrace = sampleTrace(1);
    std::shared_ptr<TimelineData> slow = std::make_shared<TimelineData>();
    std::shared_ptr<TimelineData> fast = std::make_shared<TimelineData>();

    Sample() {
        slow->rebuild(slowTrace);
        fast->rebuild(fastTrace);
    }

    FigureRequest request() const {
        FigureRequest request;
        request.title = QStringLiteral("L2 · Await in a loop vs gather");
        request.subtitle = QStringLiteral("requests=8 · 4 CPU cores");
        request.variants = {slow, fast};
        request.labels = {QStringLiteral("sequential · 180.0 ms"),
                          QStringLiteral("gather · 45.0 ms · 4.00× vs sequential")};
        request.variantNames = {QStringLiteral("sequential"), QStringLiteral("gather")};
        return request;
    }
};

struct SvgContents {
    bool wellFormed = false;
    QString error;
    QStringList texts;
    std::map<QString, int> elements;
    QString width;
    QString viewBox;
    bool hasText(const QString& needle) const {
        return std::any_of(texts.begin(), texts.end(), [&](const QString& text) { return text.contains(needle); });
    }
};

SvgContents parseSvg(const QByteArray& svg) {
    SvgContents contents;
    QXmlStreamReader reader(svg);
    int textDepth = 0;
    while (!reader.atEnd()) {
        const QXmlStreamReader::TokenType token = reader.readNext();
        if (token == QXmlStreamReader::StartElement) {
            const QString name = reader.name().toString();
            ++contents.elements[name];
            if (name == QLatin1String("svg")) {
                contents.width = reader.attributes().value(QLatin1String("width")).toString();
                contents.viewBox = reader.attributes().value(QLatin1String("viewBox")).toString();
            }
            if (name == QLatin1String("text")) {
                ++textDepth;
                contents.texts.append(QString());
            }
        } else if (token == QXmlStreamReader::EndElement && reader.name() == QLatin1String("text")) {
            --textDepth;
        } else if (token == QXmlStreamReader::Characters && textDepth > 0) {
            contents.texts.back() += reader.text();
        }
    }
    contents.wellFormed = !reader.hasError();
    contents.error = reader.errorString();
    return contents;
}

QByteArray exportToBytes(const FigureRequest& request, FigureFormat format) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const QString error = exportFigure(request, buffer, format);
    EXPECT_TRUE(error.isEmpty()) << error.toStdString();
    return buffer.data();
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

TEST(FigureExport, FormatFollowsTheExtension) {
    EXPECT_EQ(figureFormatFor(QStringLiteral("a/fig.svg")), FigureFormat::Svg);
    EXPECT_EQ(figureFormatFor(QStringLiteral("FIG.PNG")), FigureFormat::Png);
    EXPECT_EQ(figureFormatFor(QStringLiteral("x.pdf")), FigureFormat::Pdf);
    EXPECT_FALSE(figureFormatFor(QStringLiteral("x.jpg")));
    EXPECT_FALSE(figureFormatFor(QStringLiteral("svg")));
}

TEST(FigureExport, SvgIsVectorWithTitleCaptionsAxisAndLegend) {
    const Sample sample;
    const QByteArray svg = exportToBytes(sample.request(), FigureFormat::Svg);
    const SvgContents contents = parseSvg(svg);
    ASSERT_TRUE(contents.wellFormed) << contents.error.toStdString();
    EXPECT_EQ(contents.viewBox, QStringLiteral("0 0 1600 900"));
    EXPECT_TRUE(contents.hasText(QStringLiteral("L2 · Await in a loop vs gather")))
        << contents.texts.join(u'|').toStdString();
    EXPECT_TRUE(contents.hasText(QStringLiteral("requests=8")));
    EXPECT_TRUE(contents.hasText(QStringLiteral("gather · 45.0 ms · 4.00× vs sequential")));
    EXPECT_TRUE(contents.hasText(QStringLiteral("time (ms)")));
    for (const TaskState state : {TaskState::Running, TaskState::Ready, TaskState::WaitingIo}) {
        EXPECT_TRUE(contents.hasText(stateName(state))) << stateName(state).toStdString();
    }
    // The charts are drawn as vector too: their titles and legends are text.
    EXPECT_TRUE(contents.hasText(QStringLiteral("Semaphore permits in use")));
    EXPECT_TRUE(contents.hasText(QStringLiteral("Tasks in flight")));
    EXPECT_TRUE(contents.hasText(QStringLiteral("gather"))); // the legend: variants in words
    const int shapes =
        (contents.elements.count(QStringLiteral("rect")) ? contents.elements.at(QStringLiteral("rect")) : 0) +
        (contents.elements.count(QStringLiteral("path")) ? contents.elements.at(QStringLiteral("path")) : 0);
    EXPECT_GT(shapes, 16);
    EXPECT_EQ(contents.elements.count(QStringLiteral("image")), 0U) << "raster image in vector output";
}

TEST(FigureExport, FoldedSpansStayShapesInVectorOutput) {
    // A thousand 10 µs spans on a 1600 px figure of 1 s: all folded.
    TraceBuilder builder;
    builder.lane("event loop").task(0, 0, "busy");
    for (int index = 0; index < 1000; ++index) {
        builder.state(index * ms(1), 0, index % 2 == 0 ? TaskState::Running : TaskState::WaitingIo);
    }
    builder.state(ms(1000), 0, TaskState::Done);
    const core::Trace trace = builder.finish(ms(1000));
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    FigureRequest request;
    request.title = QStringLiteral("folds");
    request.variants = {data};
    request.labels = {QStringLiteral("busy")};
    request.view = FigureView::Timeline;
    const SvgContents contents = parseSvg(exportToBytes(request, FigureFormat::Svg));
    ASSERT_TRUE(contents.wellFormed);
    EXPECT_EQ(contents.elements.count(QStringLiteral("image")), 0U);
    EXPECT_GT(contents.elements.count(QStringLiteral("rect")) ? contents.elements.at(QStringLiteral("rect")) : 0, 10);
}

TEST(FigureExport, PngHasTheRequestedSizeAndDpi) {
    const Sample sample;
    FigureRequest request = sample.request();
    request.size = QSize(1200, 700);
    request.dpi = 150;
    QImage image;
    ASSERT_TRUE(image.loadFromData(exportToBytes(request, FigureFormat::Png), "PNG"));
    EXPECT_EQ(image.size(), QSize(1200, 700));
    EXPECT_EQ(image.dotsPerMeterX(), 5906); // 150 / 0.0254
    EXPECT_EQ(image.dotsPerMeterY(), 5906);
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) {
            colours.insert(image.pixel(x, y));
        }
    }
    EXPECT_GT(colours.size(), 10U) << "blank figure";
}

TEST(FigureExport, PresenterStyleUsesThePresenterCanvas) {
    const Sample sample;
    FigureRequest request = sample.request();
    request.presenter = true;
    QImage image;
    ASSERT_TRUE(image.loadFromData(exportToBytes(request, FigureFormat::Png), "PNG"));
    EXPECT_EQ(image.pixelColor(2, 2), StatePalette(true).canvas());
    // INTERLEAVE_TEST_SAVE_DIR keeps the picture, to look at.
    if (const QString dir = qEnvironmentVariable("INTERLEAVE_TEST_SAVE_DIR"); !dir.isEmpty()) {
        image.save(dir + QStringLiteral("/figure-presenter.png"));
    }
}

TEST(FigureExport, PdfPageIsTheFigureSize) {
    const Sample sample;
    const QByteArray pdf = exportToBytes(sample.request(), FigureFormat::Pdf);
    ASSERT_TRUE(pdf.startsWith("%PDF"));
    const QRegularExpression mediaBox(QStringLiteral("/MediaBox \\[\\s*0\\s+0\\s+([0-9.]+)\\s+([0-9.]+)\\s*\\]"));
    const QRegularExpressionMatch match = mediaBox.match(QString::fromLatin1(pdf));
    ASSERT_TRUE(match.hasMatch());
    EXPECT_NEAR(match.captured(1).toDouble(), 1200, 1); // 1600 px × 0.75 pt
    EXPECT_NEAR(match.captured(2).toDouble(), 675, 1);
}

TEST(FigureExport, ViewsDiffer) {
    const Sample sample;
    FigureRequest request = sample.request();
    const std::vector<QString> titles = figureChartTitles(request);
    ASSERT_EQ(titles.size(), 2U);
    EXPECT_EQ(titles[0], QStringLiteral("Semaphore permits in use"));
    EXPECT_EQ(titles[1], QStringLiteral("Tasks in flight"));

    request.view = FigureView::Timeline;
    const SvgContents timeline = parseSvg(exportToBytes(request, FigureFormat::Svg));
    EXPECT_TRUE(timeline.hasText(QStringLiteral("time (ms)")));
    EXPECT_FALSE(timeline.hasText(QStringLiteral("Tasks in flight")));

    request.view = FigureView::SingleChart;
    request.chartIndex = 1;
    const SvgContents single = parseSvg(exportToBytes(request, FigureFormat::Svg));
    EXPECT_TRUE(single.hasText(QStringLiteral("Tasks in flight")));
    EXPECT_FALSE(single.hasText(QStringLiteral("Semaphore permits in use")));
    EXPECT_FALSE(single.hasText(QStringLiteral("time (ms)")));
    EXPECT_FALSE(single.hasText(stateName(TaskState::Running)));
    EXPECT_TRUE(single.hasText(QStringLiteral("L2 · Await in a loop vs gather")));

    request.view = FigureView::Charts;
    const SvgContents charts = parseSvg(exportToBytes(request, FigureFormat::Svg));
    EXPECT_TRUE(charts.hasText(QStringLiteral("Tasks in flight")));
    EXPECT_TRUE(charts.hasText(QStringLiteral("Semaphore permits in use")));
    EXPECT_FALSE(charts.hasText(QStringLiteral("time (ms)")));

    request.chartIndex = 5;
    request.view = FigureView::SingleChart;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    EXPECT_FALSE(exportFigure(request, buffer, FigureFormat::Svg).isEmpty());
}

TEST(FigureExport, ManyLanesShrinkThenSayHowManyWereLeftOut) {
    TraceBuilder builder;
    builder.lane("event loop");
    for (std::uint32_t task = 0; task < 400; ++task) {
        builder.task(0, task, "job").state(0, task, TaskState::Running).state(ms(10), task, TaskState::Done);
    }
    const core::Trace trace = builder.finish(ms(10));
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    FigureRequest request;
    request.title = QStringLiteral("many");
    request.variants = {data};
    request.labels = {QStringLiteral("jobs")};
    request.view = FigureView::Timeline;
    request.size = QSize(800, 600);
    const SvgContents contents = parseSvg(exportToBytes(request, FigureFormat::Svg));
    // 400 unrelated tasks (nothing to fold into a group lane): the header says how many lanes had no room.
    EXPECT_TRUE(contents.hasText(QStringLiteral("lanes left out (no room)")))
        << contents.texts.join(u'|').toStdString();
    request.size = QSize(800, 1600); // 400 lanes × 3 px fit
    EXPECT_FALSE(
        parseSvg(exportToBytes(request, FigureFormat::Svg)).hasText(QStringLiteral("lanes left out (no room)")));
}

TEST(FigureExport, WritesAtomically) {
    const Sample sample;
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("fig.svg"));
    {
        QFile old(path);
        ASSERT_TRUE(old.open(QIODevice::WriteOnly));
        old.write("previous figure");
    }
    // Replacing an existing file.
    EXPECT_EQ(exportFigure(sample.request(), path), QString());
    EXPECT_TRUE(readAll(path).startsWith("<?xml"));

    // A failure half-way (no such chart) leaves the previous file byte for byte, and no temporary file.
    const QByteArray before = readAll(path);
    FigureRequest bad = sample.request();
    bad.view = FigureView::SingleChart;
    bad.chartIndex = 9;
    const QString error = exportFigure(bad, path);
    EXPECT_TRUE(error.startsWith(QStringLiteral("Cannot write ") + path)) << error.toStdString();
    EXPECT_EQ(readAll(path), before);
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("fig.svg")});

    // A parent that is a regular file, or does not exist.
    const QString underFile = path + QStringLiteral("/inside.svg");
    const QString notWritable = exportFigure(sample.request(), underFile);
    EXPECT_TRUE(notWritable.startsWith(QStringLiteral("Cannot write ") + underFile)) << notWritable.toStdString();
    EXPECT_FALSE(exportFigure(sample.request(), dir.filePath(QStringLiteral("missing/fig.png"))).isEmpty());
    EXPECT_EQ(readAll(path), before);
    EXPECT_TRUE(exportFigure(sample.request(), dir.filePath(QStringLiteral("fig.jpg")))
                    .contains(QStringLiteral(".png, .svg or .pdf")));

    // A read-only directory (root writes anyway, so only as a normal user).
    if (geteuid() != 0) {
        const QString locked = dir.filePath(QStringLiteral("locked"));
        ASSERT_TRUE(QDir().mkpath(locked));
        const QString lockedFile = locked + QStringLiteral("/fig.pdf");
        {
            QFile old(lockedFile);
            ASSERT_TRUE(old.open(QIODevice::WriteOnly));
            old.write("kept");
        }
        QFile::setPermissions(locked, QFile::ReadOwner | QFile::ExeOwner);
        EXPECT_TRUE(exportFigure(sample.request(), lockedFile).startsWith(QStringLiteral("Cannot write ")));
        EXPECT_EQ(readAll(lockedFile), QByteArray("kept"));
        QFile::setPermissions(locked, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("fig.svg")});
}

TEST(FigureExport, GenericCountersGetAChartPerGroup) {
    TraceBuilder builder;
    builder.lane("main", core::LaneKind::Imported).task(0, 0, "work").state(0, 0, TaskState::Running);
    builder.counter(0, "heap · used", 10).counter(0, "heap · free", 90).counter(0, "fps", 60);
    builder.counter(ms(5), "heap · used", 40).counter(ms(5), "heap · free", 60).counter(ms(5), "fps", 30);
    builder.counter(ms(5), "sem.in_use", 1).state(ms(10), 0, TaskState::Done);
    const core::Trace trace = builder.finish(ms(10));
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);

    EXPECT_EQ(ChartsPanel::counterGroup(QStringLiteral("heap · used")), QStringLiteral("heap"));
    EXPECT_EQ(ChartsPanel::counterGroup(QStringLiteral("fps")), QStringLiteral("fps"));
    ChartsPanel panel;
    panel.setVariants({data}, {QStringLiteral("trace")});
    ASSERT_EQ(panel.chartCount(), ChartsPanel::kChartCount + 2);
    EXPECT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreInUse)); // the known ones stay where they were
    EXPECT_EQ(panel.chartTitle(ChartsPanel::kChartCount), QStringLiteral("heap"));
    EXPECT_EQ(panel.chartTitle(ChartsPanel::kChartCount + 1), QStringLiteral("fps"));
    EXPECT_TRUE(panel.isChartShownAt(ChartsPanel::kChartCount));
    EXPECT_EQ(panel.chartAt(ChartsPanel::kChartCount)->lines().size(), 2u);
    panel.clear(); // the extra charts go with the variants
    EXPECT_EQ(panel.chartCount(), ChartsPanel::kChartCount);

    FigureRequest request;
    request.title = QStringLiteral("import");
    request.variants = {data};
    request.labels = {QStringLiteral("trace")};
    request.variantNames = {QStringLiteral("trace")};
    const std::vector<QString> titles = figureChartTitles(request);
    EXPECT_EQ(titles, (std::vector<QString>{QStringLiteral("Semaphore permits in use"), QStringLiteral("heap"),
                                            QStringLiteral("fps")}));
    const SvgContents contents = parseSvg(exportToBytes(request, FigureFormat::Svg));
    EXPECT_TRUE(contents.hasText(QStringLiteral("trace · heap · used")));
}

TEST(FigureExport, VariantCaptionHasMakespanAndSpeedup) {
    core::VariantRun run;
    run.variant = "gather";
    run.analysis.makespanNs = ms(123.44);
    run.outcome.status = core::RunStatus::Completed;
    core::LessonReport report;
    core::VariantSummary summary;
    summary.variant = "gather";
    summary.speedup = 9.981;
    report.variants.push_back(summary);
    EXPECT_EQ(variantCaption(run, report, "sequential"), QStringLiteral("gather · 123.4 ms · 9.98× vs sequential"));
    run.outcome.status = core::RunStatus::Failed;
    EXPECT_TRUE(variantCaption(run, {}, "sequential").startsWith(QStringLiteral("gather · 123.4 ms · ")));
}

TEST(ExportFigureDialog, ExportsWhatItShows) {
    const Sample sample;
    QTemporaryDir dir;
    ExportFigureDialog dialog;
    QStringList reported;
    int asked = 0;
    dialog.setPrompts(
        [&](const QString&) {
            ++asked;
            return false;
        },
        [&](const QString& error) { reported << error; });
    dialog.setSource(sample.request());
    auto* view = dialog.findChild<QComboBox*>();
    ASSERT_NE(view, nullptr);
    EXPECT_GE(view->findText(QStringLiteral("Chart: Tasks in flight")), 0);

    dialog.setPath(dir.filePath(QStringLiteral("figure"))); // no extension: one is added
    ASSERT_TRUE(dialog.format().has_value());
    dialog.setPath(dir.filePath(QStringLiteral("figure.png")));
    EXPECT_EQ(dialog.format(), FigureFormat::Png);
    dialog.accept();
    EXPECT_TRUE(reported.isEmpty()) << reported.join(u'\n').toStdString();
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    EXPECT_TRUE(QFile::exists(dir.filePath(QStringLiteral("figure.png"))));

    // The file exists now: typed again, it is not replaced without asking.
    const QByteArray before = readAll(dir.filePath(QStringLiteral("figure.png")));
    dialog.setResult(QDialog::Rejected);
    dialog.accept();
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
    EXPECT_EQ(readAll(dir.filePath(QStringLiteral("figure.png"))), before);

    // A failure is reported and the dialog stays open.
    dialog.setPath(dir.filePath(QStringLiteral("figure.png/under.svg")));
    dialog.accept();
    ASSERT_EQ(reported.size(), 1);
    EXPECT_TRUE(reported.front().startsWith(QStringLiteral("Cannot write ")));
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
}

} // namespace
} // namespace interleave::ui
