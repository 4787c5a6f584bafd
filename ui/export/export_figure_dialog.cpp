// ExportFigureDialog: a form over FigureRequest, with presets, remembered choices and a safe overwrite.
#include "export/export_figure_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace interleave::ui {

namespace {

constexpr int kSingleChartBase = 100; // view combo data: FigureView for the first three, 100 + i for chart i

const char* const kGroup = "figureExport";

struct Preset {
    const char* name;
    QSize size; // empty: the current window size
};

const Preset kPresets[] = {
    {"Custom", {}},
    {"Slide 16:9 (1920×1080)", {1920, 1080}},
    {"Slide 4:3 (1600×1200)", {1600, 1200}},
    {"Current window size", {}},
    {"A4 landscape (1123×794)", {1123, 794}}, // 297 × 210 mm at 96 px per inch
};
constexpr int kCustomPreset = 0;
constexpr int kWindowPreset = 3;

} // namespace

ExportFigureDialog::ExportFigureDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Export Figure"));
    auto* form = new QFormLayout;

    m_view = new QComboBox(this);
    form->addRow(tr("&View:"), m_view);

    m_path = new QLineEdit(this);
    m_path->setPlaceholderText(tr("figure.svg"));
    auto* browseButton = new QPushButton(tr("Browse…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browseButton);
    auto* pathLabel = new QLabel(tr("&File:"), this);
    pathLabel->setBuddy(m_path); // a layout cannot be a buddy: without this the label shows its "&"
    form->addRow(pathLabel, pathRow);
    m_formatLabel = new QLabel(this);
    form->addRow(tr("Format:"), m_formatLabel);

    m_preset = new QComboBox(this);
    for (const Preset& preset : kPresets) {
        m_preset->addItem(tr(preset.name));
    }
    form->addRow(tr("&Size:"), m_preset);
    m_width = new QSpinBox(this);
    m_height = new QSpinBox(this);
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(64, 20000);
        box->setSuffix(tr(" px"));
    }
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(m_height);
    sizeRow->addStretch(1);
    form->addRow(QString(), sizeRow);

    m_dpi = new QComboBox(this);
    for (const int dpi : {96, 150, 300}) {
        m_dpi->addItem(QString::number(dpi), dpi);
    }
    form->addRow(tr("&DPI (PNG):"), m_dpi);
    m_presenter = new QCheckBox(tr("&Presenter style (large type, high contrast)"), this);
    form->addRow(QString(), m_presenter);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(browseButton, &QPushButton::clicked, this, &ExportFigureDialog::browse);
    connect(m_path, &QLineEdit::textChanged, this, &ExportFigureDialog::updateFormat);
    connect(m_preset, &QComboBox::activated, this, &ExportFigureDialog::applyPreset);
    connect(m_width, &QSpinBox::valueChanged, this, &ExportFigureDialog::sizeEdited);
    connect(m_height, &QSpinBox::valueChanged, this, &ExportFigureDialog::sizeEdited);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportFigureDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportFigureDialog::reject);

    m_askReplace = [this](const QString& file) {
        return QMessageBox::question(this, tr("Replace?"),
                                     tr("%1 already exists. Replace it?").arg(QDir::toNativeSeparators(file)),
                                     QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
    };
    m_report = [this](const QString& error) { QMessageBox::warning(this, tr("Export Figure"), error); };

    setSource({});
    loadSettings();
    updateFormat();
}

void ExportFigureDialog::setPrompts(std::function<bool(const QString&)> askReplace,
                                    std::function<void(const QString&)> report) {
    m_askReplace = std::move(askReplace);
    m_report = std::move(report);
}

void ExportFigureDialog::setSource(FigureRequest base) {
    m_base = std::move(base);
    const QVariant previous = m_view->currentData();
    const QString previousText = m_view->currentText();
    m_view->clear();
    m_view->addItem(tr("Whole comparison"), static_cast<int>(FigureView::Comparison));
    m_view->addItem(tr("Timeline only"), static_cast<int>(FigureView::Timeline));
    m_view->addItem(tr("Charts only"), static_cast<int>(FigureView::Charts));
    const std::vector<QString> titles = figureChartTitles(m_base);
    for (std::size_t index = 0; index < titles.size(); ++index) {
        m_view->addItem(tr("Chart: %1").arg(titles[index]), kSingleChartBase + static_cast<int>(index));
    }
    // Keep the same choice when it still exists (a chart is found again by its title).
    const int byText = m_view->findText(previousText);
    const int byData = m_view->findData(previous);
    m_view->setCurrentIndex(byText >= 0 ? byText : std::max(byData, 0));
}

void ExportFigureDialog::setCurrentWindowSize(QSize size) {
    m_windowSize = size;
}

FigureRequest ExportFigureDialog::request() const {
    FigureRequest request = m_base;
    const int view = m_view->currentData().toInt();
    if (view >= kSingleChartBase) {
        request.view = FigureView::SingleChart;
        request.chartIndex = view - kSingleChartBase;
    } else {
        request.view = static_cast<FigureView>(view);
    }
    request.size = QSize(m_width->value(), m_height->value());
    request.dpi = m_dpi->currentData().toDouble();
    request.presenter = m_presenter->isChecked();
    return request;
}

QString ExportFigureDialog::path() const {
    QString file = m_path->text().trimmed();
    if (!file.isEmpty() && !figureFormatFor(file)) {
        file += QStringLiteral(".svg");
    }
    return file;
}

void ExportFigureDialog::setPath(const QString& path) {
    m_path->setText(path);
}

std::optional<FigureFormat> ExportFigureDialog::format() const {
    return figureFormatFor(path());
}

void ExportFigureDialog::updateFormat() {
    const std::optional<FigureFormat> current = format();
    QString text;
    if (!current) {
        text = tr("(from the extension: .png, .svg or .pdf)");
    } else if (*current == FigureFormat::Png) {
        text = tr("PNG image");
    } else if (*current == FigureFormat::Svg) {
        text = tr("SVG vector (text stays text)");
    } else {
        text = tr("PDF document (vector)");
    }
    if (current && !figureFormatFor(m_path->text().trimmed())) {
        text += tr(", .%1 will be added").arg(figureExtension(*current));
    }
    m_formatLabel->setText(text);
    m_dpi->setEnabled(current == FigureFormat::Png);
}

void ExportFigureDialog::browse() {
    const QString filters = tr("PNG image (*.png);;SVG vector (*.svg);;PDF document (*.pdf)");
    QString selected;
    if (const auto current = format()) {
        selected = filters.split(QStringLiteral(";;")).at(static_cast<int>(*current));
    }
    QString file = QFileDialog::getSaveFileName(this, tr("Export Figure"), path(), filters, &selected);
    if (file.isEmpty()) {
        return;
    }
    if (!figureFormatFor(file)) {
        const auto filterIndex = filters.split(QStringLiteral(";;")).indexOf(selected);
        file += QLatin1Char('.') + figureExtension(static_cast<FigureFormat>(std::max<qsizetype>(filterIndex, 1)));
    }
    m_confirmedPath = file;
    m_path->setText(file);
}

void ExportFigureDialog::applyPreset(int index) {
    if (index <= kCustomPreset || index >= static_cast<int>(std::size(kPresets))) {
        return;
    }
    const QSize size = index == kWindowPreset ? m_windowSize : kPresets[index].size;
    const QSignalBlocker blockWidth(m_width);
    const QSignalBlocker blockHeight(m_height);
    m_width->setValue(size.width());
    m_height->setValue(size.height());
}

void ExportFigureDialog::sizeEdited() {
    m_preset->setCurrentIndex(kCustomPreset);
}

void ExportFigureDialog::accept() {
    const QString file = path();
    if (file.isEmpty()) {
        m_report(tr("Choose a file to export to."));
        return;
    }
    if (file != m_path->text().trimmed()) {
        m_path->setText(file); // show the extension that was added
    }
    if (QFileInfo::exists(file) && QFileInfo(file) != QFileInfo(m_confirmedPath) && !m_askReplace(file)) {
        return;
    }
    const QString error = exportFigure(request(), file);
    if (!error.isEmpty()) {
        m_report(error);
        return;
    }
    saveSettings();
    QDialog::accept();
}

void ExportFigureDialog::loadSettings() {
    QSettings settings;
    settings.beginGroup(QLatin1String(kGroup));
    m_path->setText(settings.value(QStringLiteral("path")).toString());
    const int view = m_view->findText(settings.value(QStringLiteral("view")).toString());
    m_view->setCurrentIndex(std::max(view, 0));
    m_width->setValue(settings.value(QStringLiteral("width"), 1600).toInt());
    m_height->setValue(settings.value(QStringLiteral("height"), 900).toInt());
    m_preset->setCurrentIndex(std::clamp(settings.value(QStringLiteral("preset"), kCustomPreset).toInt(), 0,
                                         static_cast<int>(std::size(kPresets)) - 1));
    m_dpi->setCurrentIndex(std::max(m_dpi->findData(settings.value(QStringLiteral("dpi"), 96).toInt()), 0));
    m_presenter->setChecked(settings.value(QStringLiteral("presenter"), false).toBool());
}

void ExportFigureDialog::saveSettings() const {
    QSettings settings;
    settings.beginGroup(QLatin1String(kGroup));
    settings.setValue(QStringLiteral("path"), m_path->text());
    settings.setValue(QStringLiteral("view"), m_view->currentText());
    settings.setValue(QStringLiteral("width"), m_width->value());
    settings.setValue(QStringLiteral("height"), m_height->value());
    settings.setValue(QStringLiteral("preset"), m_preset->currentIndex());
    settings.setValue(QStringLiteral("dpi"), m_dpi->currentData().toInt());
    settings.setValue(QStringLiteral("presenter"), m_presenter->isChecked());
}

} // namespace interleave::ui
