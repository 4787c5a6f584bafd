// File → Export Figure…: which view, where (the format follows the extension), what size, DPI (PNG) and style. The
// main window hands over what to draw with setSource(); OK asks before replacing a file, exports, and on failure
// shows the error and stays open. The last choices are remembered.
#pragma once

#include "export/figure_export.h"

#include <QDialog>

#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace interleave::ui {

class ExportFigureDialog : public QDialog {
    Q_OBJECT

public:
    explicit ExportFigureDialog(QWidget* parent = nullptr);

    // What to draw: title, subtitle, variants, labels, names, time range and lane mode. The view, size, DPI and
    // presenter style come from the dialog. The variants must outlive the dialog (or the next setSource call).
    void setSource(FigureRequest base);
    // The size the "Current window size" preset uses (the main window's).
    void setCurrentWindowSize(QSize size);

    FigureRequest request() const; // the source with the dialog's choices
    QString path() const;          // with the extension added when it had none
    void setPath(const QString& path);
    std::optional<FigureFormat> format() const;

    // Tests replace the questions and messages (which would block offscreen): ask(path) says whether to replace it,
    // report(error) shows an error.
    void setPrompts(std::function<bool(const QString&)> askReplace, std::function<void(const QString&)> report);

public Q_SLOTS:
    void accept() override; // exports; stays open (after saying why) when that fails or the user keeps the file

private:
    void browse();
    void applyPreset(int index);
    void sizeEdited();
    void updateFormat();
    void loadSettings();
    void saveSettings() const;

    FigureRequest m_base;
    QSize m_windowSize{1600, 900};
    QString m_confirmedPath; // chosen in the file dialog, which already asked before replacing
    QComboBox* m_view = nullptr;
    QLineEdit* m_path = nullptr;
    QLabel* m_formatLabel = nullptr;
    QComboBox* m_preset = nullptr;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QComboBox* m_dpi = nullptr;
    QCheckBox* m_presenter = nullptr;
    std::function<bool(const QString&)> m_askReplace;
    std::function<void(const QString&)> m_report;
};

} // namespace interleave::ui
