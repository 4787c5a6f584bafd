// ListingPanel: a QPlainTextEdit with a painted line-number gutter and an extra selection for the current step.
#include "panels/listing_panel.h"

#include "panels/python_highlighter.h"

#include <QFontDatabase>
#include <QPaintEvent>
#include <QPainter>
#include <QTextBlock>

#include <algorithm>

namespace interleave::ui {

class ListingPanel::Gutter : public QWidget {
public:
    explicit Gutter(ListingPanel* editor) : QWidget(editor), m_editor(editor) {}
    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { m_editor->paintGutter(event); }

private:
    ListingPanel* m_editor;
};

ListingPanel::ListingPanel(QWidget* parent)
    : QPlainTextEdit(parent), m_gutter(new Gutter(this)), m_highlighter(new PythonHighlighter(document())) {
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    connect(this, &QPlainTextEdit::blockCountChanged, this, &ListingPanel::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &ListingPanel::updateGutter);
    applyTheme();
}

void ListingPanel::setListing(const QString& text) {
    m_highlightedLine = 0;
    setExtraSelections({});
    setPlainText(text);
}

void ListingPanel::highlightLine(int line) {
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    if (line <= 0 || !block.isValid()) {
        m_highlightedLine = 0;
        setExtraSelections({});
        m_gutter->update();
        return;
    }
    m_highlightedLine = line;
    QTextEdit::ExtraSelection selection;
    selection.format.setBackground(m_presenterMode ? QColor(0x8a, 0x6d, 0x00) : QColor(0xff, 0xe0, 0x66));
    selection.format.setProperty(QTextFormat::FullWidthSelection, true);
    selection.cursor = QTextCursor(block);
    selection.cursor.clearSelection();
    setExtraSelections({selection});

    // Moving the (invisible, read-only) cursor scrolls the line into view without selecting text.
    QTextCursor cursor(block);
    setTextCursor(cursor);
    centerCursor();
    m_gutter->update();
}

void ListingPanel::setPresenterMode(bool on) {
    m_presenterMode = on;
    applyTheme();
    highlightLine(m_highlightedLine);
}

void ListingPanel::applyTheme() {
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::Monospace);
    font.setPointSizeF(std::max(font.pointSizeF(), 9.0) * (m_presenterMode ? 1.7 : 1.0));
    setFont(font);
    m_gutter->setFont(font);

    QPalette palette = this->palette();
    if (m_presenterMode) {
        palette.setColor(QPalette::Base, QColor(0x10, 0x10, 0x10));
        palette.setColor(QPalette::Text, QColor(0xf5, 0xf5, 0xf5));
    } else {
        palette = QPalette();
    }
    setPalette(palette);
    m_highlighter->setDarkTheme(m_presenterMode);
    updateGutterWidth();
}

int ListingPanel::gutterWidth() const {
    int digits = 1;
    for (int count = std::max(1, blockCount()); count >= 10; count /= 10) {
        ++digits;
    }
    return fontMetrics().horizontalAdvance(QLatin1Char('9')) * (std::max(digits, 2) + 1) + 8;
}

void ListingPanel::updateGutterWidth() {
    setViewportMargins(gutterWidth(), 0, 0, 0);
    const QRect contents = contentsRect();
    m_gutter->setGeometry(QRect(contents.left(), contents.top(), gutterWidth(), contents.height()));
}

void ListingPanel::updateGutter(const QRect& rect, int dy) {
    if (dy != 0) {
        m_gutter->scroll(0, dy);
    } else {
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    }
    if (rect.contains(viewport()->rect())) {
        updateGutterWidth();
    }
}

void ListingPanel::resizeEvent(QResizeEvent* event) {
    QPlainTextEdit::resizeEvent(event);
    const QRect contents = contentsRect();
    m_gutter->setGeometry(QRect(contents.left(), contents.top(), gutterWidth(), contents.height()));
}

void ListingPanel::paintGutter(QPaintEvent* event) {
    QPainter painter(m_gutter);
    const QColor background = m_presenterMode ? QColor(0x22, 0x22, 0x22) : QColor(0xf0, 0xf0, 0xf0);
    const QColor number = m_presenterMode ? QColor(0xb0, 0xb0, 0xb0) : QColor(0x80, 0x80, 0x80);
    const QColor current = m_presenterMode ? QColor(0xff, 0xff, 0xff) : QColor(0x00, 0x00, 0x00);
    painter.fillRect(event->rect(), background);

    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int lineHeight = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        const int bottom = top + qRound(blockBoundingRect(block).height());
        if (block.isVisible() && bottom >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            QFont font = painter.font();
            font.setBold(line == m_highlightedLine);
            painter.setFont(font);
            painter.setPen(line == m_highlightedLine ? current : number);
            painter.drawText(0, top, m_gutter->width() - 6, lineHeight, Qt::AlignRight, QString::number(line));
        }
        block = block.next();
        top = bottom;
    }
}

} // namespace interleave::ui
