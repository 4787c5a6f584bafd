// End-to-end tests of `interleave-cli run --export`: figures written headless (no DISPLAY), read back: the SVG as XML,
// the PNG decoded, the PDF rendered to PNG with pdftoppm (skipped when it is missing).
#include "cli_process.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/wait.h>

#ifdef INTERLEAVE_E2E_FIGURES
#include <QByteArray>
#include <QImage>
#include <QString>
#include <QXmlStreamReader>

#include <set>
#endif

namespace interleave::e2e {
namespace {

std::string describe(const CliResult& result) {
    return "exit " + std::to_string(result.exitCode) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

std::vector<std::string> quickL2(std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "L2", "--set", "latency_ms=20", "--set", "requests=6"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

CliOptions headless() {
    CliOptions options;
    options.unsetEnvironment = {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"};
    return options;
}

#ifdef INTERLEAVE_E2E_FIGURES

// Distinct colours on a grid of samples: a blank page has one or two.
std::size_t colourCount(const QImage& image) {
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 5) {
        for (int x = 0; x < image.width(); x += 5) {
            colours.insert(image.pixel(x, y));
        }
    }
    return colours.size();
}

TEST(CliFigure, WritesSvgPngAndPdfWithoutADisplay) {
    const TempDir dir;
    for (const std::string extension : {"svg", "png", "pdf"}) {
        const std::string path = dir.file("fig." + extension);
        const CliResult result =
            runCli(quickL2({"--export", path, "--width", "1200", "--height", "700", "--dpi", "96"}), headless());
        ASSERT_EQ(result.exitCode, 0) << describe(result);
        EXPECT_NE(result.out.find("wrote " + path), std::string::npos) << result.out;
        EXPECT_EQ(result.err.find("QStandardPaths"), std::string::npos) << result.err;
        ASSERT_TRUE(std::filesystem::exists(path));
    }

    // SVG: well-formed XML, text as <text>, no raster image.
    const std::string svg = readFile(dir.file("fig.svg"));
    QXmlStreamReader reader(QByteArray::fromStdString(svg));
    QString texts;
    int images = 0;
    bool inText = false;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement()) {
            inText = reader.name() == QLatin1String("text");
            images += reader.name() == QLatin1String("image") ? 1 : 0;
        } else if (reader.isEndElement()) {
            inText = false;
        } else if (reader.isCharacters() && inText) {
            texts += reader.text();
            texts += QLatin1Char('|');
        }
    }
    ASSERT_FALSE(reader.hasError()) << reader.errorString().toStdString();
    EXPECT_EQ(images, 0);
    EXPECT_TRUE(texts.contains(QStringLiteral("L2 · "))) << texts.toStdString();
    EXPECT_TRUE(texts.contains(QStringLiteral("gather · "))) << texts.toStdString();
    EXPECT_TRUE(texts.contains(QStringLiteral("× vs "))) << texts.toStdString();
    EXPECT_TRUE(texts.contains(QStringLiteral("time (ms)"))) << texts.toStdString();

    // PNG: the requested size, not blank.
    QImage png(QString::fromStdString(dir.file("fig.png")));
    ASSERT_FALSE(png.isNull());
    EXPECT_EQ(png.width(), 1200);
    EXPECT_EQ(png.height(), 700);
    EXPECT_GT(colourCount(png), 8U);

    // PDF: rendered by poppler.
    EXPECT_EQ(readFile(dir.file("fig.pdf")).rfind("%PDF", 0), 0U);
    if (std::system("command -v pdftoppm >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "pdftoppm is not installed (poppler-utils): the PDF is not rendered";
    }
    const std::string command =
        "pdftoppm -png -r 50 -singlefile '" + dir.file("fig.pdf") + "' '" + dir.file("page") + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    QImage page(QString::fromStdString(dir.file("page.png")));
    ASSERT_FALSE(page.isNull());
    EXPECT_NEAR(page.width(), 1200 * 0.75 * 50 / 72, 2); // 900 pt at 50 dpi
    EXPECT_GT(colourCount(page), 8U);
}

// An imported trace draws too: `import FILE --export fig.svg`, and `--save` keeps it as a run file.
TEST(CliFigure, AnImportedTraceExportsAFigureAndARunFile) {
    const TempDir dir;
    const std::string svgPath = dir.file("viz.svg");
    const std::string runPath = dir.file("viz.interleave");
    const CliResult result = runCli({"import", std::string(INTERLEAVE_TEST_DATA_DIR) + "/viztracer_asyncio.json",
                                     "--export", svgPath, "--save", runPath},
                                    headless());
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const std::string svg = readFile(svgPath);
    QXmlStreamReader xml(QByteArray::fromStdString(svg));
    std::vector<QString> texts;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QStringLiteral("text")) {
            texts.push_back(xml.readElementText(QXmlStreamReader::IncludeChildElements));
        }
    }
    ASSERT_FALSE(xml.hasError()) << xml.errorString().toStdString();
    const auto has = [&](const QString& needle) {
        return std::any_of(texts.begin(), texts.end(), [&](const QString& text) { return text.contains(needle); });
    };
    EXPECT_TRUE(has(QStringLiteral("viztracer_asyncio.json")));
    EXPECT_TRUE(has(QStringLiteral("fetch-a")));
    EXPECT_EQ(readFile(runPath).rfind("INTERLEAVE RUN", 0), 0U);
}

TEST(CliFigure, AnUnwritablePathIsRefusedBeforeTheRuns) {
    const TempDir dir;
    writeFile(dir.file("file"), "not a directory");
    const std::string path = dir.file("file/fig.svg");
    const CliResult result = runCli(quickL2({"--export", path}), headless());
    EXPECT_EQ(result.exitCode, 2) << describe(result);
    EXPECT_NE(result.err.find("Cannot write " + path), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(readFile(dir.file("file")), "not a directory");
}

// A disk that fills while a figure is written (a file-size limit stands in for it): exit 4 after the summary, the
// old figure left as it was, no temporary file left beside it. The SVG writer once ignored the failed write and
// left a truncated figure in place of the old one, with exit 0.
TEST(CliFigure, AFullDiskKeepsTheOldFigureAndExitsFour) {
    const TempDir dir;
    for (const std::string name : {"fig.svg", "fig.pdf", "fig.png"}) {
        writeFile(dir.file(name), "old");
        std::string command = "ulimit -f 8; trap '' XFSZ; exec '" + std::string(INTERLEAVE_CLI_PATH) + "'";
        for (const std::string& arg : quickL2({"--export", dir.file(name)})) {
            command += " '" + arg + "'";
        }
        const int status = std::system(("QT_QPA_PLATFORM=offscreen sh -c \"" + command + "\" >/dev/null 2>&1").c_str());
        ASSERT_TRUE(WIFEXITED(status)) << name;
        EXPECT_EQ(WEXITSTATUS(status), 4) << name;
        EXPECT_EQ(readFile(dir.file(name)), "old") << name;
    }
    const auto entries =
        std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator());
    EXPECT_EQ(entries, 3) << "a temporary file was left behind";
}

TEST(CliFigure, ListAndRunWithoutExportDoNotStartQt) {
    // A platform that does not exist would abort any QGuiApplication.
    setenv("QT_QPA_PLATFORM", "no-such-platform", 1);
    const CliResult list = runCli({"list"}, {});
    const CliResult run = runCli(quickL2({"--variant", "gather"}), {});
    unsetenv("QT_QPA_PLATFORM");
    EXPECT_EQ(list.exitCode, 0) << describe(list);
    EXPECT_EQ(run.exitCode, 0) << describe(run);
}

#else

TEST(CliFigure, ThisBuildHasNoFigureExport) {
    const TempDir dir;
    const CliResult result = runCli(quickL2({"--export", dir.file("fig.svg")}), headless());
    EXPECT_EQ(result.exitCode, 2) << describe(result);
    EXPECT_NE(result.err.find("this build has no figure export (built without Qt)"), std::string::npos) << result.err;
}

#endif

TEST(CliFigure, AnUnknownExtensionIsAUsageErrorBeforeAnythingRuns) {
    const TempDir dir;
    const CliResult result = runCli(quickL2({"--export", dir.file("fig.jpg")}), headless());
    EXPECT_EQ(result.exitCode, 2) << describe(result);
    EXPECT_TRUE(result.out.empty()) << result.out; // no summary: nothing ran
    EXPECT_FALSE(std::filesystem::exists(dir.file("fig.jpg")));
}

} // namespace
} // namespace interleave::e2e
