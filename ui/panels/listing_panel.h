// The code panel: the variant's Python equivalent, read-only, with line numbers and the current step highlighted.
#pragma once

#include <QPlainTextEdit>

namespace interleave::ui {

class PythonHighlighter;

class ListingPanel : public QPlainTextEdit {
    Q_OBJECT

public:
    explicit ListingPanel(QWidget* parent = nullptr);

    void setListing(const QString& text); // clears any highlighted line
    // 1-based; 0 (or out of range) clears. The line gets a strong background and is scrolled into view.
    void highlightLine(int line);
    int highlightedLine() const { return m_highlightedLine; }
    void setPresenterMode(bool on);

    int gutterWidth() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    class Gutter;
    friend class Gutter;

    void paintGutter(QPaintEvent* event);
    void updateGutterWidth();
    void updateGutter(const QRect& rect, int dy);
    void applyTheme();

    Gutter* m_gutter = nullptr;
    PythonHighlighter* m_highlighter = nullptr;
    int m_highlightedLine = 0;
    bool m_presenterMode = false;
};

} // namespace interleave::ui
