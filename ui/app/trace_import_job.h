// Imports a Chrome trace on a worker thread, so the window stays responsive while a large file is read, analysed
// and laid out: the
// progress and a cancel request cross threads through atomics, and `finished` arrives on the GUI thread.
#pragma once

#include "app/run_controller.h"
#include "io/chrome_import.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <optional>
#include <thread>

namespace interleave::ui {

class TraceImportJob : public QObject {
    Q_OBJECT
public:
    explicit TraceImportJob(QString path, QObject* parent = nullptr);
    ~TraceImportJob() override; // cancels and joins a job still running

    void start();
    void cancel() { m_cancel.store(true, std::memory_order_relaxed); }
    const QString& path() const { return m_path; }

    // Valid once `finished` was emitted: the trace, or why there is none.
    std::optional<core::ImportResult>& result() { return m_result; }
    // With the result: the trace (moved out of it) analysed and its timeline built, on the import thread; one slot
    // per variant for Interleave's own multi-variant export (core::splitInterleaveVariants), else one.
    std::vector<std::shared_ptr<VariantSlot>>& slots() { return m_slots; }
    const QString& error() const { return m_error; }
    bool cancelled() const { return m_wasCancelled; }

Q_SIGNALS:
    void progress(qint64 bytesRead, qint64 totalBytes);
    void building(); // the file is read; the timeline is being built
    void finished();

private:
    void poll();

    QString m_path;
    std::thread m_thread;
    QTimer m_poll;
    std::atomic<std::uint64_t> m_bytesRead{0};
    std::atomic<std::uint64_t> m_totalBytes{0};
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_done{false};
    std::atomic<bool> m_read{false};
    bool m_saidBuilding = false;
    std::optional<core::ImportResult> m_result; // written by the worker before m_done, read after
    std::vector<std::shared_ptr<VariantSlot>> m_slots;
    QString m_error;
    bool m_wasCancelled = false;
};

} // namespace interleave::ui
