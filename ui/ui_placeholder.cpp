// Placeholder translation unit until the desktop UI lands (issue 3).
namespace interleave::ui {
int uiVersion() {
    return 0;
}
} // namespace interleave::ui
