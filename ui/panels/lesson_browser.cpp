// LessonBrowser: the tree view, its filter box, and the signal that a lesson was chosen.
#include "panels/lesson_browser.h"

#include "panels/lesson_tree_model.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace interleave::ui {

LessonBrowser::LessonBrowser(QWidget* parent)
    : QWidget(parent), m_model(new LessonTreeModel({}, this)), m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTreeView(this)), m_filter(new QLineEdit(this)) {
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterRole(Qt::DisplayRole);

    m_filter->setPlaceholderText(tr("Filter lessons…"));
    m_filter->setClearButtonEnabled(true);

    m_view->setModel(m_proxy);
    m_view->setHeaderHidden(true);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->expandAll();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_view);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        // Filtering can move the current index; that is not the user choosing a lesson.
        m_selecting = true;
        m_proxy->setFilterFixedString(text);
        m_selecting = false;
        m_view->expandAll();
    });
    connect(m_view, &QTreeView::activated, this, &LessonBrowser::activate);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { activate(current); });
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QTreeView::expandAll);
    connect(m_model, &QAbstractItemModel::rowsInserted, m_view, &QTreeView::expandAll);
}

void LessonBrowser::setLessons(std::vector<core::Scenario> lessons) {
    m_model->setLessons(std::move(lessons));
}

void LessonBrowser::addLesson(core::Scenario lesson) {
    m_model->addLesson(std::move(lesson));
}

void LessonBrowser::selectLesson(const QString& id) {
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->indexForLesson(id));
    if (!proxyIndex.isValid()) {
        m_selecting = true; // no lesson (an imported trace is shown): nothing stays highlighted
        m_view->selectionModel()->clearSelection();
        m_view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
        m_selecting = false;
        return;
    }
    m_selecting = true;
    m_view->selectionModel()->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect);
    m_view->scrollTo(proxyIndex);
    m_selecting = false;
}

QString LessonBrowser::currentLessonId() const {
    return m_view->currentIndex().data(LessonTreeModel::LessonIdRole).toString();
}

void LessonBrowser::activate(const QModelIndex& proxyIndex) {
    if (m_selecting) {
        return;
    }
    const QString id = proxyIndex.data(LessonTreeModel::LessonIdRole).toString();
    if (!id.isEmpty()) {
        Q_EMIT lessonActivated(id);
    }
}

} // namespace interleave::ui
