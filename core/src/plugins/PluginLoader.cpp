#include "plugins/PluginLoader.h"

#include <dlfcn.h>

#include "common/Spelling.h"
#include <watchdog/Abi.h>

#include <Poco/Exception.h>
#include <Poco/SharedLibrary.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <set>

namespace watchdog {

namespace {

const char* const kAbiSymbol = "watchdogPluginAbiVersion";
const char* const kKindSymbol = "watchdogPluginKind";
const char* const kOptionsSymbol = "watchdogPluginOptions";
const char* const kManifestSymbol = "pocoBuildManifest";
const char* const kUseTheMacro = "use the WATCHDOG_*_PLUGIN macro";

bool isFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string executableDirectory() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string exe(buf, static_cast<std::size_t>(n));
    return exe.substr(0, exe.rfind('/'));
}

std::string article(const std::string& kind) { return kind == "action" ? "an action" : "a " + kind; }

// A plugin's text shown safely: control and non-ASCII bytes escaped, at most `limit` characters.
std::string printable(const std::string& text, std::size_t limit) {
    static const char* const hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : text) {
        if (out.size() >= limit) return out + "...";
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    return out;
}

// Calls one of a library's extern "C" metadata functions, which may have been written by hand and throw.
template <class Result>
Result callMetadata(const std::string& path, const char* symbol, Result (*function)()) {
    try {
        return function();
    } catch (...) {
        throw PluginError(path + ": " + symbol + "() threw an exception (" + kUseTheMacro + ")");
    }
}

// The kind a library declares, checked: a hand-written kind function may return anything.
std::string declaredKind(const std::string& path, const char* (*function)()) {
    const char* raw = callMetadata(path, kKindSymbol, function);
    if (raw == nullptr)
        throw PluginError(path + ": " + kKindSymbol + "() returned NULL instead of \"check\", \"action\" or \"sink\" (" + kUseTheMacro +
                          ")");
    const std::string kind(raw, ::strnlen(raw, 64));
    if (kind != "check" && kind != "action" && kind != "sink")
        throw PluginError(path + ": " + kKindSymbol + "() returned the unknown kind '" + printable(kind, 32) +
                          "' instead of \"check\", \"action\" or \"sink\" (" + kUseTheMacro + ")");
    return kind;
}

}  // namespace

PluginLoader::PluginLoader(std::vector<std::string> searchPath) : searchPath_(std::move(searchPath)) {
    for (const auto& dir : defaultSearchPath())
        if (std::find(searchPath_.begin(), searchPath_.end(), dir) == searchPath_.end()) searchPath_.push_back(dir);
}

std::vector<std::string> PluginLoader::defaultSearchPath() {
    std::vector<std::string> dirs;
    std::string exeDir = executableDirectory();
    if (!exeDir.empty()) dirs.push_back(exeDir + "/" + WATCHDOG_RELATIVE_PLUGIN_DIR);
    dirs.push_back(WATCHDOG_INSTALL_PLUGIN_DIR);
    return dirs;
}

std::string PluginLoader::locate(const std::string& name) const {
    if (name.find('/') != std::string::npos) return isFile(name) ? name : std::string();
    for (const auto& dir : searchPath_) {
        std::string candidate = dir + "/" + name + Poco::SharedLibrary::suffix();
        if (isFile(candidate)) return candidate;
    }
    return {};
}

std::string PluginLoader::describe(const std::string& name) const {
    const std::string path = locate(name);
    return "plugin '" + name + "'" + (path.empty() ? "" : " (" + path + ")");
}

std::string PluginLoader::find(const std::string& name) const {
    std::string path = locate(name);
    if (!path.empty()) return path;
    if (name.find('/') != std::string::npos) throw PluginError(name + ": plugin file not found");
    std::vector<std::string> names;
    for (const auto& info : list()) names.push_back(info.name);
    std::string where;
    for (const auto& dir : searchPath_) where += (where.empty() ? "" : ", ") + dir;
    throw PluginError("plugin '" + name + "' not found" + didYouMean(name, names) + " (looked for " + name + Poco::SharedLibrary::suffix() +
                      " in " + where + ")");
}

namespace {

/// dlopen with immediate binding: a missing symbol fails here with its name, not at the first call.
class ProbeHandle {
public:
    explicit ProbeHandle(const std::string& path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        if (handle_ == nullptr) {
            const char* why = dlerror();
            throw PluginError(path + ": cannot load: " + (why != nullptr ? why : "unknown dlopen error"));
        }
    }
    ~ProbeHandle() { dlclose(handle_); }
    ProbeHandle(const ProbeHandle&) = delete;
    ProbeHandle& operator=(const ProbeHandle&) = delete;
    void* symbol(const char* name) const { return dlsym(handle_, name); }

private:
    void* handle_;
};

}  // namespace

PluginInfo PluginLoader::probe(const std::string& name, const std::string& path, const std::string& expectedKind) const {
    PluginInfo info{name, path, "", 0, ""};
    ProbeHandle lib(path);
    void* abi = lib.symbol(kAbiSymbol);
    if (abi == nullptr)
        throw PluginError(path + ": not an encoder-watchdog plugin (missing symbol " + kAbiSymbol +
                          "; end the source with WATCHDOG_CHECK_PLUGIN(Class) or its action/sink form)");
    info.abi = callMetadata(path, kAbiSymbol, reinterpret_cast<int (*)()>(abi));
    if (info.abi != WATCHDOG_ABI_VERSION)
        throw PluginError(path + ": built for plugin ABI " + std::to_string(info.abi) + ", this encoder-watchdog uses ABI " +
                          std::to_string(WATCHDOG_ABI_VERSION) + " (rebuild the plugin against this SDK)");
    void* kind = lib.symbol(kKindSymbol);
    if (kind == nullptr) throw PluginError(path + ": missing symbol " + kKindSymbol + " (" + kUseTheMacro + ")");
    info.kind = declaredKind(path, reinterpret_cast<const char* (*)()>(kind));
    if (lib.symbol(kManifestSymbol) == nullptr)
        throw PluginError(path + ": has no plugin manifest (missing symbol " + kManifestSymbol + "; " + kUseTheMacro + ")");
    if (!expectedKind.empty() && info.kind != expectedKind)
        throw PluginError(path + ": is " + article(info.kind) + " plugin, but is used as " + article(expectedKind) + " (move it under " +
                          info.kind + "s:)");
    return info;
}

std::optional<OptionTable> PluginLoader::declaredOptions(const std::string& name) const {
    const std::string path = find(name);
    probe(name, path, "");
    ProbeHandle lib(path);
    void* function = lib.symbol(kOptionsSymbol);
    if (function == nullptr) return std::nullopt;
    const OptionTable* table = reinterpret_cast<const OptionTable* (*)()>(function)();
    if (table == nullptr) return std::nullopt;
    return *table;
}

template <class Base>
std::unique_ptr<Base> PluginLoader::create(Poco::ClassLoader<Base>& loader, const std::string& name, const std::string& kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string path = find(name);
    probe(name, path, kind);
    const Poco::Manifest<Base>* manifest = nullptr;
    try {
        loader.loadLibrary(path);
        manifest = loader.findManifest(path);
    } catch (const Poco::LibraryLoadException& e) {
        const std::string msg = e.message();
        if (msg.find("No manifest") != std::string::npos)
            throw PluginError(
                path + ": has no plugin manifest (missing symbol pocoBuildManifest; register the class with a WATCHDOG_*_PLUGIN macro)");
        if (msg.find("mismatch") != std::string::npos)
            throw PluginError(path + ": its manifest exports another base class than watchdog::" +
                              (kind == "check"    ? "Check"
                               : kind == "action" ? "Action"
                                                  : "Sink"));
        throw PluginError(path + ": cannot load: " + msg);
    } catch (const Poco::Exception& e) {
        throw PluginError(path + ": cannot load: " + e.displayText());
    } catch (const std::exception& e) {
        throw PluginError(path + ": cannot load: " + e.what());
    } catch (...) {
        throw PluginError(path + ": cannot load: its manifest threw a non-standard exception");
    }
    if (manifest == nullptr || manifest->size() == 0) throw PluginError(path + ": its manifest exports no class");
    const std::string plugin = "plugin '" + name + "' (" + path + ")";
    try {
        return std::unique_ptr<Base>(manifest->begin()->create());
    } catch (const std::exception& e) {
        throw PluginError(plugin + ": threw while being created: " + e.what());
    } catch (...) {
        throw PluginError(plugin + ": threw a non-standard exception while being created");
    }
}

std::unique_ptr<Check> PluginLoader::createCheck(const std::string& name) { return create(checks_, name, "check"); }
std::unique_ptr<Action> PluginLoader::createAction(const std::string& name) { return create(actions_, name, "action"); }
std::unique_ptr<Sink> PluginLoader::createSink(const std::string& name) { return create(sinks_, name, "sink"); }

std::vector<PluginInfo> PluginLoader::list() const {
    std::vector<PluginInfo> out;
    std::set<std::string> seen;
    const std::string suffix = Poco::SharedLibrary::suffix();
    for (const auto& dir : searchPath_) {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) continue;
        std::vector<std::string> files;
        while (dirent* e = ::readdir(d)) {
            std::string f = e->d_name;
            if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) files.push_back(f);
        }
        ::closedir(d);
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            std::string name = f.substr(0, f.size() - suffix.size());
            if (!seen.insert(name).second) continue;
            try {
                out.push_back(probe(name, dir + "/" + f, ""));
            } catch (const std::exception& e) {
                out.push_back(PluginInfo{name, dir + "/" + f, "", 0, e.what()});
            }
        }
    }
    return out;
}

}  // namespace watchdog
