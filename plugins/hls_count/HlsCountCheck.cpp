#include "HlsCountCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <system_error>

namespace watchdog::hls_count {

namespace {

bool matchesAny(const std::vector<std::string>& globs, const char* name) {
    for (const auto& g : globs)
        if (::fnmatch(g.c_str(), name, 0) == 0) return true;
    return false;
}

struct DirCloser {
    DIR* dir;
    ~DirCloser() { ::closedir(dir); }
};

}  // namespace

void HlsCountCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    HlsCountSettings s;
    s.directory = options.path("directory");
    s.pattern = options.string("pattern");
    s.exclude = options.stringList("exclude");
    s.maxFiles = options.integer("max_files", 0, 100000000);
    s.minFiles = options.integer("min_files", 0, 0, 100000000);
    if (s.minFiles > s.maxFiles) options.report("min_files", "is larger than max_files (" + std::to_string(s.maxFiles) + ")");
    settings_ = std::move(s);
}

HlsFileCount HlsCountCheck::count(const HlsCountSettings& s) {
    DIR* dir = ::opendir(s.directory.c_str());
    if (dir == nullptr) throw std::system_error(errno, std::generic_category(), "cannot read directory " + s.directory);
    DirCloser closer{dir};
    const int fd = ::dirfd(dir);
    HlsFileCount c;
    while (true) {
        errno = 0;
        const dirent* e = ::readdir(dir);
        if (e == nullptr) {
            if (errno != 0) throw std::system_error(errno, std::generic_category(), "cannot read directory " + s.directory);
            break;
        }
        const char* name = e->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        if (::fnmatch(s.pattern.c_str(), name, 0) != 0) continue;
        bool regular = e->d_type == DT_REG;
        if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
            // Some file systems do not fill d_type; a symlink counts as what it points to.
            struct stat st {};
            regular = ::fstatat(fd, name, &st, 0) == 0 && S_ISREG(st.st_mode);
        }
        if (!regular) continue;
        if (matchesAny(s.exclude, name)) {
            ++c.excluded;
            continue;
        }
        ++c.matching;
    }
    return c;
}

Result HlsCountCheck::run(const CheckContext&) {
    const HlsCountSettings& s = settings_;
    HlsFileCount c;
    try {
        c = count(s);
    } catch (const std::system_error& e) {
        return Result::error(e.what());
    }
    const std::string counted = human::count(c.matching, "file") + " matching " + s.pattern;
    Result r;
    if (c.matching > s.maxFiles)
        r = Result::fail(counted + ", more than max_files " + std::to_string(s.maxFiles));
    else if (c.matching < s.minFiles)
        r = Result::fail(counted + ", fewer than min_files " + std::to_string(s.minFiles));
    else if (s.minFiles > 0)
        r = Result::pass(counted + " (allowed " + std::to_string(s.minFiles) + ".." + std::to_string(s.maxFiles) + ")");
    else
        r = Result::pass(counted + " (max " + std::to_string(s.maxFiles) + ")");
    r.withValue(static_cast<double>(c.matching), "files");
    r.detail("directory", s.directory);
    if (c.excluded > 0) r.detail("excluded", std::to_string(c.excluded));
    return r;
}

}  // namespace watchdog::hls_count

WATCHDOG_CHECK_PLUGIN(watchdog::hls_count::HlsCountCheck)
